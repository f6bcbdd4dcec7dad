// GoogleTest tests of the C++ RAII layer (murr/murr.hpp): each wrapper, and that errors are
// murr::Error exceptions carrying libmurr's status and message.
#include <gtest/gtest.h>

#include <murr/batch.hpp>
#include <murr/murr.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <type_traits>
#include <vector>

#include "arrow_util.h"

namespace fs = std::filesystem;

namespace {

static_assert(!std::is_copy_constructible_v<murr::Db> && std::is_nothrow_move_constructible_v<murr::Db>);
static_assert(!std::is_copy_constructible_v<murr::Snapshot> && std::is_nothrow_move_constructible_v<murr::Snapshot>);
static_assert(!std::is_copy_constructible_v<murr::Stream> && std::is_nothrow_move_constructible_v<murr::Stream>);
static_assert(!std::is_copy_constructible_v<murr::Schema> && std::is_nothrow_move_constructible_v<murr::Schema>);
static_assert(std::is_nothrow_move_constructible_v<murr::Result>);

const char *const kNames[] = {"id", "score", "count", "name"};
const char *const kFormats[] = {"l", "f", "l", "u"};

// A temporary directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "murr-cpp-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    std::string str() const { return path_.string(); }
    std::string sub(const char *name) const { return (path_ / name).string(); }

private:
    fs::path path_;
};

murr::Options test_options() { return murr::Options().sync_never().background_threads(0).idle_compaction_millis(-1); }

// An owned schema of the test table built with arrow_util.
murr::Schema table_schema() {
    ArrowSchema s;
    au_schema_struct(&s, 4, kNames, kFormats);
    return murr::Schema(std::move(s));
}

// A batch of keys [first, first + n) at version v: score k + v, count k * 10 + v,
// name "k<k>v<v>".
ArrowArray batch(int64_t first, int64_t n, int v) {
    std::vector<int64_t> ids, counts;
    std::vector<float> scores;
    std::vector<std::string> names;
    for (int64_t k = first; k < first + n; k++) {
        ids.push_back(k);
        scores.push_back(static_cast<float>(k + v));
        counts.push_back(k * 10 + v);
        names.push_back("k" + std::to_string(k) + "v" + std::to_string(v));
    }
    std::vector<const char *> strs;
    for (auto &s : names) strs.push_back(s.c_str());
    ArrowArray children[4], out;
    au_array_i64(&children[0], ids.data(), nullptr, n);
    au_array_f32(&children[1], scores.data(), nullptr, n);
    au_array_i64(&children[2], counts.data(), nullptr, n);
    au_array_utf8(&children[3], strs.data(), n);
    au_array_struct(&out, n, children, 4);
    return out;
}

class DbTest : public ::testing::Test {
protected:
    void SetUp() override {
        db = murr::Db::open(dir.str(), test_options());
        db.create_table("t", schema.get(), "id");
        db.write("t", batch(0, 100, 1), schema.get());
    }
    // libmurr may keep the arrays it was given while the Db is open; freed, it has
    // released every one.
    void TearDown() override {
        db = murr::Db();
        EXPECT_EQ(au_live_arrays(), 0);
    }

    TempDir dir;
    murr::Schema schema = table_schema();
    murr::Db db;
};

template <typename F> murr::Error expect_error(F &&f) {
    try {
        f();
    } catch (const murr::Error &e) {
        return e;
    }
    ADD_FAILURE() << "no murr::Error thrown";
    return murr::Error(MURR_OK, "");
}

TEST(Version, MatchesTheMacros) {
    std::string expected = std::to_string(MURR_VERSION_MAJOR) + "." + std::to_string(MURR_VERSION_MINOR) + "." +
                           std::to_string(MURR_VERSION_PATCH);
    EXPECT_EQ(murr::version(), expected);
}

// Every status code's name in the header (the macros this binding uses) is the library's,
// and murr::Error names each code as murr_status_name does; one past the last is unknown.
TEST(Error, StatusCodesMatchTheLibrary) {
#define MURR_EXPECT_CODE(code) EXPECT_STREQ(murr_status_name(code), #code)
    MURR_EXPECT_CODE(MURR_OK);
    MURR_EXPECT_CODE(MURR_INVALID_ARGUMENT);
    MURR_EXPECT_CODE(MURR_UNKNOWN_TABLE);
    MURR_EXPECT_CODE(MURR_UNKNOWN_COLUMN);
    MURR_EXPECT_CODE(MURR_SCHEMA_MISMATCH);
    MURR_EXPECT_CODE(MURR_TABLE_EXISTS);
    MURR_EXPECT_CODE(MURR_IO);
    MURR_EXPECT_CODE(MURR_CORRUPT);
    MURR_EXPECT_CODE(MURR_UNSUPPORTED);
    MURR_EXPECT_CODE(MURR_CLOSED);
    MURR_EXPECT_CODE(MURR_LOCKED);
    MURR_EXPECT_CODE(MURR_WRITES_STOPPED);
    MURR_EXPECT_CODE(MURR_LIMIT_EXCEEDED);
    MURR_EXPECT_CODE(MURR_BACKGROUND_FAILED);
    MURR_EXPECT_CODE(MURR_ARROW);
    MURR_EXPECT_CODE(MURR_INTERNAL);
    MURR_EXPECT_CODE(MURR_UNKNOWN);
    MURR_EXPECT_CODE(MURR_CHANGES_NOT_RETAINED);
#undef MURR_EXPECT_CODE
    for (murr_status_t s = 0; s <= MURR_CHANGES_NOT_RETAINED + 1; s++) {
        murr::Error e(s, "m");
        EXPECT_EQ(e.status(), s);
        EXPECT_STREQ(e.status_name(), murr_status_name(s));
        EXPECT_EQ(std::string(e.what()), std::string(murr_status_name(s)) + ": m");
        EXPECT_STRNE(murr_status_name(s), "") << s;
    }
    EXPECT_EQ(MURR_UNKNOWN, 16);
    EXPECT_EQ(MURR_CHANGES_NOT_RETAINED, 17); // codes are appended after MURR_UNKNOWN
    EXPECT_STREQ(murr_status_name(MURR_CHANGES_NOT_RETAINED + 1), "MURR_UNKNOWN");
}

TEST(Error, CarriesStatusAndMessage) {
    TempDir dir;
    murr::Db db = murr::Db::open(dir.str(), test_options());
    murr::Error e = expect_error([&] { db.drop_table("missing"); });
    EXPECT_EQ(e.status(), MURR_UNKNOWN_TABLE);
    EXPECT_STREQ(e.status_name(), "MURR_UNKNOWN_TABLE");
    EXPECT_NE(e.message().find("missing"), std::string::npos) << e.message();
    EXPECT_EQ(std::string(e.what()), "MURR_UNKNOWN_TABLE: " + e.message());
    // A std::exception too.
    EXPECT_THROW(db.drop_table("missing"), std::exception);
}

TEST(Db, OpenLockedMoveClose) {
    TempDir dir;
    murr::Db a = murr::Db::open(dir.str(), test_options());
    EXPECT_TRUE(a);
    EXPECT_EQ(expect_error([&] { murr::Db::open(dir.str()); }).status(), MURR_LOCKED);
    murr::Db b = std::move(a);
    EXPECT_FALSE(a); // NOLINT(bugprone-use-after-move): moved-from is empty
    EXPECT_TRUE(b);
    b.close();
    EXPECT_EQ(expect_error([&] { b.tables(); }).status(), MURR_CLOSED);
    EXPECT_EQ(expect_error([&] { b.close(); }).status(), MURR_CLOSED);
    // The destructor frees the closed handle; the directory is free again.
    murr::Db c = murr::Db::open(dir.str(), test_options());
    c = murr::Db::open(dir.sub("other"), test_options()); // assignment frees the first
    EXPECT_TRUE(c);
    EXPECT_EQ(expect_error([&] { murr::Db::open(std::string("\xff")); }).status(), MURR_INVALID_ARGUMENT);
    murr::Options o = test_options();
    o.create_if_missing(false);
    EXPECT_NE(expect_error([&] { murr::Db::open(dir.sub("missing"), o); }).status(), MURR_OK);
    EXPECT_EQ(o.raw().size, sizeof(murr_options_t));
}

TEST_F(DbTest, TablesSchemaAddColumnDrop) {
    EXPECT_EQ(db.tables(), std::vector<std::string>{"t"});
    murr::Schema s = db.schema("t");
    EXPECT_EQ(s.names(), (std::vector<std::string>{"id", "score", "count", "name"}));
    EXPECT_EQ(s.metadata("murr.key"), std::optional<std::string>("id"));
    EXPECT_EQ(s.metadata("nope"), std::nullopt);

    ArrowSchema field;
    au_schema_field(&field, "extra", "g", true);
    murr::Schema f(std::move(field));
    EXPECT_EQ(field.release, nullptr);
    db.add_column("t", f.get());
    EXPECT_EQ(db.schema("t").names().size(), 5u);
    EXPECT_EQ(expect_error([&] { db.add_column("nope", f.get()); }).status(), MURR_UNKNOWN_TABLE);

    ArrowSchema other;
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {"u", "l"};
    au_schema_struct(&other, 2, names, formats);
    murr::Schema o(std::move(other));
    db.create_table("u", o.get(), "k");
    EXPECT_EQ(expect_error([&] { db.create_table("t", o.get(), "k"); }).status(), MURR_TABLE_EXISTS);
    EXPECT_EQ(expect_error([&] { db.create_table("w", o.get(), "v2"); }).status(), MURR_UNKNOWN_COLUMN);
    EXPECT_EQ(db.tables(), (std::vector<std::string>{"t", "u"}));
    db.drop_table("t");
    EXPECT_EQ(db.tables(), std::vector<std::string>{"u"});
    EXPECT_EQ(expect_error([&] { db.schema("t"); }).status(), MURR_UNKNOWN_TABLE);
}

TEST_F(DbTest, WriteAndRead) {
    uint64_t seq = db.write("t", batch(100, 10, 2), schema.get());
    EXPECT_GT(seq, 0u);
    murr::Result r = db.read("t", std::vector<int64_t>{5, 105, 1000}, {"score", "count", "name"});
    EXPECT_EQ(r.num_rows(), 3);
    EXPECT_EQ(r.num_columns(), 3);
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 1, 0}));
    EXPECT_EQ(r.schema().names(), (std::vector<std::string>{"score", "count", "name"}));
    EXPECT_EQ(au_get_f32(&r.column(0), 0), 6.0f);
    EXPECT_EQ(au_get_i64(&r.column(1), 1), 1052);
    EXPECT_TRUE(au_utf8_eq(&r.column(2), r.schema()->children[2]->format, 0, "k5v1"));
    EXPECT_FALSE(au_is_valid(&r.column(0), 2));

    // Keys as an Arrow array (borrowed).
    ArrowArray keys;
    ArrowSchema ks;
    const int64_t k[] = {7};
    au_array_i64(&keys, k, nullptr, 1);
    au_schema_field(&ks, "id", "l", false);
    murr::Array ka(std::move(keys));
    murr::Schema kschema(std::move(ks));
    murr::Result r2 = db.read("t", ka.get(), kschema.get(), {"count"});
    EXPECT_TRUE(ka.valid());
    EXPECT_EQ(au_get_i64(&r2.column(0), 0), 71);

    // Handing the result out.
    ArrowArray a;
    ArrowSchema s;
    r2.release(&a, &s);
    EXPECT_FALSE(r2.array().valid());
    EXPECT_EQ(a.length, 1);
    a.release(&a);
    s.release(&s);

    // The array is moved into libmurr even when the write throws.
    ArrowArray bad = batch(0, 1, 1);
    EXPECT_EQ(expect_error([&] { db.write("nope", std::move(bad), schema.get()); }).status(), MURR_UNKNOWN_TABLE);
    EXPECT_EQ(bad.release, nullptr);
    EXPECT_EQ(expect_error([&] { db.read("t", std::vector<int64_t>{1}, {"zzz"}); }).status(), MURR_UNKNOWN_COLUMN);
    EXPECT_EQ(expect_error([&] { db.read("t", std::vector<std::string>{"a"}, {"count"}); }).status(),
              MURR_SCHEMA_MISMATCH);
}

TEST_F(DbTest, StringKeysAndDeletes) {
    ArrowSchema s;
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {"u", "l"};
    au_schema_struct(&s, 2, names, formats);
    murr::Schema ss(std::move(s));
    db.create_table("s", ss.get(), "k");
    const char *const keys[] = {"a", "b", "c"};
    const int64_t vals[] = {1, 2, 3};
    ArrowArray children[2], b;
    au_array_utf8(&children[0], keys, 3);
    au_array_i64(&children[1], vals, nullptr, 3);
    au_array_struct(&b, 3, children, 2);
    db.write("s", std::move(b), ss.get());

    EXPECT_GT(db.delete_keys("s", std::vector<std::string>{"b"}), 0u);
    murr::Result r = db.read("s", std::vector<std::string>{"a", "b", "c"}, {"v"});
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 0, 1}));
    EXPECT_EQ(au_get_i64(&r.column(0), 2), 3);
    std::vector<float> dense;
    std::vector<uint8_t> found;
    db.read_f32("s", std::vector<std::string>{"c", "b", "a"}, {"v"}, -1.0f, dense, &found);
    EXPECT_EQ(dense, (std::vector<float>{3.0f, -1.0f, 1.0f}));
    EXPECT_EQ(found, (std::vector<uint8_t>{1, 0, 1}));

    db.delete_keys("t", std::vector<int64_t>{1, 2});
    ArrowArray ka;
    ArrowSchema ks;
    const int64_t k3[] = {3};
    au_array_i64(&ka, k3, nullptr, 1);
    au_schema_field(&ks, "id", "l", false);
    murr::Schema kschema(std::move(ks));
    db.delete_keys("t", std::move(ka), kschema.get());
    EXPECT_EQ(ka.release, nullptr);
    EXPECT_EQ(db.read("t", std::vector<int64_t>{0, 1, 2, 3, 4}, {"id"}).found(),
              (std::vector<uint8_t>{1, 0, 0, 0, 1}));
    EXPECT_EQ(expect_error([&] { db.delete_keys("s", std::vector<int64_t>{1}); }).status(), MURR_SCHEMA_MISMATCH);
}

// A uint64-keyed table: keys above 2^63 written and read back exactly, densely and as
// Arrow, through the uint64 overloads; int64 keys do not look it up.
TEST_F(DbTest, Uint64Keys) {
    ArrowSchema s;
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {"L", "f"};
    au_schema_struct(&s, 2, names, formats);
    murr::Schema us(std::move(s));
    db.create_table("u", us.get(), "k");
    const uint64_t keys[] = {0, 1, (1ull << 63) - 1, 1ull << 63, (1ull << 63) + 5, UINT64_MAX};
    const float vals[] = {10, 11, 12, 13, 14, 15};
    ArrowArray children[2], b;
    au_array_u64(&children[0], keys, nullptr, 6);
    au_array_f32(&children[1], vals, nullptr, 6);
    au_array_struct(&b, 6, children, 2);
    db.write("u", std::move(b), us.get());

    std::vector<uint64_t> ask = {UINT64_MAX, 1ull << 63, 42, (1ull << 63) + 5, 0};
    std::vector<float> dense;
    std::vector<uint8_t> found;
    db.read_f32("u", ask, {"v"}, -1.0f, dense, &found);
    EXPECT_EQ(dense, (std::vector<float>{15.0f, 13.0f, -1.0f, 14.0f, 10.0f}));
    EXPECT_EQ(found, (std::vector<uint8_t>{1, 1, 0, 1, 1}));
    float raw[2];
    db.read_f32("u", ask.data(), 2, {"v"}, 0.0f, raw);
    EXPECT_EQ(raw[0], 15.0f);
    EXPECT_EQ(raw[1], 13.0f);

    murr::Result r = db.read("u", ask, {"k", "v"});
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 1, 0, 1, 1}));
    EXPECT_EQ(au_get_u64(&r.column(0), 0), UINT64_MAX);
    EXPECT_EQ(au_get_u64(&r.column(0), 3), (1ull << 63) + 5);

    EXPECT_GT(db.delete_keys("u", std::vector<uint64_t>{UINT64_MAX}), 0u);
    db.read_f32("u", ask, {"v"}, -1.0f, dense, &found);
    EXPECT_EQ(found, (std::vector<uint8_t>{0, 1, 0, 1, 1}));

    murr::Error e = expect_error([&] { db.read_f32("u", std::vector<int64_t>{1}, {"v"}, 0.0f, dense); });
    EXPECT_EQ(e.status(), MURR_SCHEMA_MISMATCH);
    EXPECT_NE(e.message().find("int64 keys given for a uint64 key column"), std::string::npos) << e.message();
}

// utf8 keys travel as pointer + length: a key holding a NUL byte stays whole.
TEST_F(DbTest, Utf8KeysWithNul) {
    ArrowSchema s;
    const char *const names[] = {"k", "v"};
    const char *const formats[] = {"u", "l"};
    au_schema_struct(&s, 2, names, formats);
    murr::Schema ss(std::move(s));
    db.create_table("s", ss.get(), "k");
    const char *const keys[] = {"a"};
    const int64_t vals[] = {1};
    ArrowArray children[2], b;
    au_array_utf8(&children[0], keys, 1);
    au_array_i64(&children[1], vals, nullptr, 1);
    au_array_struct(&b, 1, children, 2);
    db.write("s", std::move(b), ss.get());
    std::vector<float> dense;
    std::vector<uint8_t> found;
    db.read_f32("s", std::vector<std::string>{"a", std::string("a\0b", 3)}, {"v"}, -1.0f, dense, &found);
    EXPECT_EQ(found, (std::vector<uint8_t>{1, 0}));
}

TEST_F(DbTest, DenseRead) {
    std::vector<float> out;
    std::vector<uint8_t> found;
    db.read_f32("t", std::vector<int64_t>{2, 500, 3}, {"score", "count"}, -1.0f, out, &found);
    EXPECT_EQ(out, (std::vector<float>{3.0f, 21.0f, -1.0f, -1.0f, 4.0f, 31.0f}));
    EXPECT_EQ(found, (std::vector<uint8_t>{1, 0, 1}));
    float raw[2];
    const int64_t keys[] = {9, 999};
    db.read_f32("t", keys, 2, {"score"}, NAN, raw);
    EXPECT_EQ(raw[0], 10.0f);
    EXPECT_TRUE(std::isnan(raw[1]));
    EXPECT_EQ(expect_error([&] { db.read_f32("t", std::vector<int64_t>{1}, {"name"}, 0.0f, out); }).status(),
              MURR_SCHEMA_MISMATCH);
    EXPECT_EQ(expect_error([&] { db.read_f32("t", std::vector<std::string>{"1"}, {"score"}, 0.0f, out); }).status(),
              MURR_SCHEMA_MISMATCH);
}

// The dense write: row-major float32 rows, a partial upsert; sizes checked before the call.
TEST_F(DbTest, WriteF32) {
    uint64_t seq = db.write_f32("t", std::vector<int64_t>{5, 500}, {"score"}, std::vector<float>{-1.5f, 2.5f});
    EXPECT_GT(seq, 0u);
    std::vector<float> x;
    std::vector<uint8_t> found;
    db.read_f32("t", std::vector<int64_t>{5, 500}, {"score", "count"}, -9.0f, x, &found);
    EXPECT_EQ(x, (std::vector<float>{-1.5f, 51.0f, 2.5f, -9.0f}));
    EXPECT_EQ(found, (std::vector<uint8_t>{1, 1}));
    auto e = expect_error([&] { db.write_f32("t", std::vector<int64_t>{1, 2}, {"score"}, std::vector<float>{1.0f}); });
    EXPECT_EQ(e.status(), MURR_INVALID_ARGUMENT);
    EXPECT_NE(e.message().find("2 keys x 1 columns"), std::string::npos) << e.message();
    e = expect_error([&] { db.write_f32("t", std::vector<int64_t>{1}, {"count"}, std::vector<float>{1.0f}); });
    EXPECT_EQ(e.status(), MURR_SCHEMA_MISMATCH);
    EXPECT_NE(e.message().find("float32"), std::string::npos) << e.message();
    e = expect_error([&] { db.write_f32("t", std::vector<std::string>{"a"}, {"score"}, std::vector<float>{1.0f}); });
    EXPECT_EQ(e.status(), MURR_SCHEMA_MISMATCH);
}

TEST_F(DbTest, TableStats) {
    murr_table_stats_t s = db.table_stats("t");
    EXPECT_EQ(s.size, sizeof s);
    EXPECT_EQ(s.segments, 0u);
    EXPECT_GT(s.memtable_bytes, 0u);
    db.flush();
    s = db.table_stats("t");
    EXPECT_EQ(s.segments, 1u);
    EXPECT_EQ(s.level0_segments, 1u);
    EXPECT_EQ(s.segment_rows, 100u);
    EXPECT_GT(s.segment_bytes, 0u);
    EXPECT_EQ(expect_error([&] { db.table_stats("nope"); }).status(), MURR_UNKNOWN_TABLE);
}

// Engine metrics: counters move by what the calls did; the Prometheus text carries them.
TEST_F(DbTest, Metrics) {
    murr_metrics_t m0 = db.metrics();
    EXPECT_EQ(m0.size, sizeof m0);
    EXPECT_EQ(m0.enabled, 1u);
    EXPECT_EQ(m0.writes, 1u);
    EXPECT_EQ(m0.write_rows, 100u);
    EXPECT_EQ(m0.reads, 0u);
    db.write("t", batch(100, 10, 1), schema.get());
    // 4 keys, 2 absent.
    murr::Result r = db.read("t", std::vector<int64_t>{1, 5000, 105, -3}, {"score"});
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 0, 1, 0}));
    murr_metrics_t m = db.metrics();
    EXPECT_EQ(m.writes, 2u);
    EXPECT_EQ(m.write_rows, 110u);
    EXPECT_EQ(m.reads, 1u);
    EXPECT_EQ(m.read_keys, 4u);
    EXPECT_EQ(m.read_misses, 2u);
    EXPECT_GT(m.read_bytes, 0u);
    EXPECT_GT(m.read_latency_p50_ns, 0u);
    EXPECT_LE(m.read_latency_p50_ns, m.read_latency_p999_ns);
    uint64_t counted = 0;
    for (uint64_t b : m.read_latency_buckets) counted += b;
    EXPECT_EQ(counted, 1u);
    EXPECT_EQ(m.memtable_rows, 110u);
    db.flush();
    m = db.metrics();
    EXPECT_EQ(m.flushes, 1u);
    EXPECT_EQ(m.flush_rows, 110u);
    EXPECT_EQ(m.segments, 1u);
    EXPECT_EQ(m.memtable_rows, 0u);
    std::string text = db.metrics_prometheus();
    EXPECT_NE(text.find("murr_reads_total 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("murr_read_misses_total 2\n"), std::string::npos) << text;
    EXPECT_NE(text.find("murr_table_segments{table=\"t\"} 1\n"), std::string::npos) << text;
}

// BatchBuilder: every column type, with and without nulls, into a table made from its
// schema, read back; misuse throws before anything crosses.
TEST(BatchBuilder, EveryTypeRoundTrips) {
    TempDir dir;
    murr::Db db = murr::Db::open(dir.str(), test_options());
    murr::BatchBuilder b;
    b.add("key", std::vector<std::string>{"a", "b", "c"})
        .add("i64", std::vector<int64_t>{-1, 2, 3})
        .add("u64", std::vector<uint64_t>{UINT64_MAX, 0, 7})
        .add("i32", std::vector<std::optional<int32_t>>{1, std::nullopt, 3})
        .add("f32", std::vector<float>{0.5f, 1.5f, 2.5f})
        .add("f64", std::vector<std::optional<double>>{std::nullopt, 2.25, 3.0})
        .add("flag", std::vector<bool>{true, false, true})
        .add("maybe", std::vector<std::optional<bool>>{std::nullopt, true, false})
        .add("name", std::vector<std::optional<std::string>>{"x", std::nullopt, ""});
    EXPECT_EQ(b.rows(), 3);
    EXPECT_EQ(b.size(), 9u);
    db.create_table("all", b.schema().get(), "key");
    uint64_t seq = b.write(db, "all");
    EXPECT_GT(seq, 0u);
    EXPECT_EQ(b.size(), 0u);
    murr::Result r = db.read("all", std::vector<std::string>{"c", "a", "b"},
                             {"i64", "u64", "i32", "f32", "f64", "flag", "maybe", "name"});
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 1, 1}));
    EXPECT_EQ(au_get_i64(&r.column(0), 0), 3);
    EXPECT_EQ(au_get_u64(&r.column(1), 1), UINT64_MAX);
    EXPECT_FALSE(au_is_valid(&r.column(2), 2));
    EXPECT_EQ(au_get_f32(&r.column(3), 2), 1.5f);
    EXPECT_FALSE(au_is_valid(&r.column(4), 1));
    EXPECT_EQ(au_get_f64(&r.column(4), 0), 3.0);
    EXPECT_TRUE(au_get_bool(&r.column(5), 0));
    EXPECT_FALSE(au_get_bool(&r.column(5), 2));
    EXPECT_FALSE(au_is_valid(&r.column(6), 1));
    EXPECT_TRUE(au_get_bool(&r.column(6), 2));
    EXPECT_TRUE(au_utf8_eq(&r.column(7), r.schema()->children[7]->format, 1, "x"));
    EXPECT_TRUE(au_utf8_eq(&r.column(7), r.schema()->children[7]->format, 0, ""));
    EXPECT_FALSE(au_is_valid(&r.column(7), 2));

    // A partial batch of two columns; a built array released by its owner.
    murr::BatchBuilder p;
    p.add("key", std::vector<const char *>{"a"}).add("f32", std::vector<float>{9.0f});
    p.write(db, "all");
    std::vector<float> x;
    db.read_f32("all", std::vector<std::string>{"a"}, {"f32", "i64"}, 0.0f, x);
    EXPECT_EQ(x, (std::vector<float>{9.0f, -1.0f}));
    murr::BatchBuilder unused;
    unused.add("key", std::vector<std::string>{"z"});
    murr::Array built = unused.build();
    EXPECT_EQ(built.length(), 1);

    murr::BatchBuilder bad;
    bad.add("key", std::vector<std::string>{"a", "b"});
    EXPECT_EQ(expect_error([&] { bad.add("f32", std::vector<float>{1.0f}); }).status(), MURR_INVALID_ARGUMENT);
    EXPECT_EQ(expect_error([&] { bad.add("key", std::vector<int64_t>{1, 2}); }).status(), MURR_INVALID_ARGUMENT);
    bad.add("f32", std::vector<int64_t>{1, 2});
    EXPECT_EQ(expect_error([&] { bad.write(db, "all"); }).status(), MURR_SCHEMA_MISMATCH);
}

TEST_F(DbTest, SnapshotFlushCompactScan) {
    murr::Snapshot snap = db.snapshot();
    EXPECT_TRUE(snap);
    EXPECT_GT(snap.seq(), 0u);
    db.write("t", batch(0, 150, 2), schema.get());
    db.flush();
    db.compact();
    std::vector<float> out;
    db.read_f32("t", std::vector<int64_t>{10, 120}, {"count"}, -1.0f, out, nullptr, &snap);
    EXPECT_EQ(out, (std::vector<float>{101.0f, -1.0f}));
    murr::Result r = db.read("t", std::vector<int64_t>{10, 120}, {"count"}, &snap);
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 0}));
    db.read_f32("t", std::vector<int64_t>{10, 120}, {"count"}, -1.0f, out);
    EXPECT_EQ(out, (std::vector<float>{102.0f, 1202.0f}));

    // Scan at the snapshot: 100 rows of version 1, keys ascending; the stream outlives
    // the snapshot.
    murr::Stream stream = db.scan("t", {"id", "count"}, &snap);
    snap.reset();
    EXPECT_EQ(stream.schema().names(), (std::vector<std::string>{"id", "count"}));
    int64_t rows = 0;
    while (auto b = stream.next()) {
        for (int64_t i = 0; i < b->length(); i++) {
            int64_t k = au_get_i64(&b->child(0), i);
            EXPECT_EQ(k, rows + i);
            EXPECT_EQ(au_get_i64(&b->child(1), i), k * 10 + 1);
        }
        rows += b->length();
    }
    EXPECT_EQ(rows, 100);
    EXPECT_FALSE(stream.next().has_value()); // stays at the end

    murr::Stream all = db.scan("t");
    EXPECT_EQ(all.schema().names().size(), 4u);
    rows = 0;
    while (auto b = all.next()) rows += b->length();
    EXPECT_EQ(rows, 150);
    EXPECT_EQ(expect_error([&] { db.scan("nope"); }).status(), MURR_UNKNOWN_TABLE);
}

// The change feed: the SetUp write and a delete, from 0 and from the middle; without
// retention an old start is MURR_CHANGES_NOT_RETAINED after a flush.
TEST_F(DbTest, Changes) {
    const uint64_t first = db.changes_oldest_since();
    EXPECT_EQ(first, 0u);
    std::vector<int64_t> gone{5, 6};
    uint64_t del = db.delete_keys("t", gone);
    murr::Stream feed = db.changes("t");
    murr::Schema s = feed.schema();
    EXPECT_EQ(s.names(), (std::vector<std::string>{"_seq", "_op", "id", "score", "count", "name", "_present"}));
    EXPECT_EQ(s.metadata("murr.changes.end_seq"), std::optional<std::string>(std::to_string(del)));
    int64_t writes = 0, deletes = 0;
    uint64_t write_seq = 0;
    while (auto b = feed.next()) {
        for (int64_t i = 0; i < b->length(); i++) {
            uint64_t seq = au_get_u64(&b->child(0), i);
            if (au_utf8_eq(&b->child(1), "u", i, "write")) {
                writes++;
                write_seq = seq;
                EXPECT_EQ(au_get_i64(&b->child(4), i), au_get_i64(&b->child(2), i) * 10 + 1);
            } else {
                EXPECT_TRUE(au_utf8_eq(&b->child(1), "u", i, "delete"));
                EXPECT_EQ(seq, del);
                deletes++;
            }
        }
    }
    EXPECT_EQ(writes, 100);
    EXPECT_EQ(deletes, 2);
    murr::Stream later = db.changes("t", write_seq);
    int64_t rows = 0;
    while (auto b = later.next()) rows += b->length();
    EXPECT_EQ(rows, 2);
    db.flush();
    EXPECT_EQ(db.changes_oldest_since(), del);
    EXPECT_EQ(expect_error([&] { db.changes("t", 0); }).status(), MURR_CHANGES_NOT_RETAINED);
    EXPECT_EQ(expect_error([&] { db.changes("nope"); }).status(), MURR_UNKNOWN_TABLE);
}

TEST_F(DbTest, WriteStream) {
    ArrowArray batches[2] = {batch(1000, 10, 3), batch(1010, 5, 3)};
    ArrowSchema s;
    au_schema_struct(&s, 4, kNames, kFormats);
    ArrowArrayStream raw;
    au_stream_make(&raw, &s, batches, 2, -1);
    murr::Stream stream(std::move(raw));
    EXPECT_GT(db.write_stream("t", std::move(stream)), 0u);
    EXPECT_FALSE(stream.valid());
    EXPECT_EQ(expect_error([&] { stream.next(); }).status(), MURR_INVALID_ARGUMENT); // moved
    EXPECT_EQ(au_live_streams(), 0); // the stream itself is released
    EXPECT_EQ(db.read("t", std::vector<int64_t>{1000, 1014, 1015}, {"id"}).found(),
              (std::vector<uint8_t>{1, 1, 0}));

    // A failing stream: the error says why; the stream is consumed.
    ArrowArray one[1] = {batch(2000, 1, 3)};
    au_schema_struct(&s, 4, kNames, kFormats);
    au_stream_make(&raw, &s, one, 1, 0);
    murr::Error e = expect_error([&] { db.write_stream("t", std::move(raw)); });
    EXPECT_NE(e.status(), MURR_OK);
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(raw.release, nullptr);
}

TEST_F(DbTest, Ingest) {
    // Keys 50..149 at version 2, then 140..159 at version 3 (the later batch wins).
    ArrowArray batches[2] = {batch(50, 100, 2), batch(140, 20, 3)};
    ArrowSchema s;
    au_schema_struct(&s, 4, kNames, kFormats);
    ArrowArrayStream raw;
    au_stream_make(&raw, &s, batches, 2, -1);
    db.ingest_stream("t", murr::Stream(std::move(raw)));
    EXPECT_EQ(au_live_streams(), 0);
    murr::Result r = db.read("t", std::vector<int64_t>{0, 60, 145, 170}, {"score"});
    EXPECT_EQ(r.found(), (std::vector<uint8_t>{1, 1, 1, 0}));
    EXPECT_EQ(au_get_f32(&r.column(0), 0), 1.0f);
    EXPECT_EQ(au_get_f32(&r.column(0), 1), 62.0f);
    EXPECT_EQ(au_get_f32(&r.column(0), 2), 148.0f);

    // A stream failing after a batch: nothing of it is applied; the stream is consumed.
    ArrowArray one[1] = {batch(2000, 1, 4)};
    au_schema_struct(&s, 4, kNames, kFormats);
    au_stream_make(&raw, &s, one, 1, 1);
    murr::Error e = expect_error([&] { db.ingest_stream("t", std::move(raw)); });
    EXPECT_EQ(e.status(), MURR_ARROW);
    EXPECT_EQ(raw.release, nullptr);
    EXPECT_EQ(db.read("t", std::vector<int64_t>{2000}, {"id"}).found(), (std::vector<uint8_t>{0}));

    EXPECT_EQ(expect_error([&] { db.ingest_file("t", dir.sub("missing.parquet")); }).status(), MURR_IO);
    EXPECT_EQ(expect_error([&] { db.ingest_file("nope", dir.sub("x.parquet")); }).status(),
              MURR_UNKNOWN_TABLE);
}

TEST_F(DbTest, Closed) {
    murr::Snapshot snap = db.snapshot();
    murr::Stream stream = db.scan("t");
    db.close();
    murr::Error e = expect_error([&] { stream.next(); });
    EXPECT_EQ(e.status(), MURR_ARROW); // a stream error: the C Stream Interface has no status
    EXPECT_FALSE(e.message().empty());
    EXPECT_EQ(expect_error([&] { db.read("t", std::vector<int64_t>{1}, {"id"}, &snap); }).status(), MURR_CLOSED);
    EXPECT_EQ(expect_error([&] { db.snapshot(); }).status(), MURR_CLOSED);
    EXPECT_EQ(expect_error([&] { db.flush(); }).status(), MURR_CLOSED);
    EXPECT_EQ(expect_error([&] { db.write("t", batch(0, 1, 1), schema.get()); }).status(), MURR_CLOSED);
}

} // namespace
