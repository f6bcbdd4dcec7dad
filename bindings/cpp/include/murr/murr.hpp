// libmurr for C++17: a header-only RAII layer over the C ABI (murr.h).
//
//   murr::Db db = murr::Db::open("/var/lib/features");
//   db.create_table("users", schema, "id");           // schema: a struct ArrowSchema
//   db.write("users", std::move(array), schema);       // array: a struct ArrowArray, moved
//   murr::Result r = db.read("users", std::vector<int64_t>{1, 2}, {"score"});
//   db.read_f32("users", murr_keys_u64(ids, n), {"f0"}, 0.0f, x);  // any key descriptor
//   std::vector<float> x;
//   db.read_f32("users", keys, {"f0", "f1"}, 0.0f, x); // the dense tensor, row-major
//   db.write_f32("users", keys, {"f0", "f1"}, x);       // float32 rows back, row-major
//   murr_table_stats_t st = db.table_stats("users");
//   murr_metrics_t m = db.metrics();                  // engine counters, latency percentiles
//   std::string text = db.metrics_prometheus();       // the same for a /metrics endpoint
// General batches: murr/batch.hpp (murr::BatchBuilder).
//
// Every failure throws murr::Error (status() is the murr_status_t, message() libmurr's
// text). Objects own what they wrap and release it in their destructors: Db frees its
// handle (closing it first), Snapshot its snapshot, Result/Array/Schema their Arrow
// structures, Stream its ArrowArrayStream. All are move-only. Free every Snapshot and
// Stream of a Db before the Db itself (declare them after it, or reset them).
//
// Thread safety is the C ABI's: a Db may be used from many threads at once (not while it
// is destroyed or moved); a Snapshot may be read from many threads; Result, Array, Schema
// and Stream are not synchronised.
#ifndef MURR_MURR_HPP
#define MURR_MURR_HPP

#include <murr.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace murr {

/// The library's version at run time ("major.minor.patch").
inline const char *version() noexcept { return murr_version(); }

/// A failed libmurr call: the status code and libmurr's message.
class Error : public std::exception {
public:
    Error(murr_status_t status, std::string message)
        : status_(status), message_(std::move(message)),
          what_(std::string(murr_status_name(status)) + ": " + message_) {}
    /// The murr_status_t (MURR_UNKNOWN_TABLE, ...).
    murr_status_t status() const noexcept { return status_; }
    /// The status's name ("MURR_UNKNOWN_TABLE").
    const char *status_name() const noexcept { return murr_status_name(status_); }
    /// libmurr's message (names the table, column, key or file involved).
    const std::string &message() const noexcept { return message_; }
    /// "STATUS_NAME: message".
    const char *what() const noexcept override { return what_.c_str(); }

private:
    murr_status_t status_;
    std::string message_;
    std::string what_;
};

namespace detail {

/// An error struct for one call: throws on failure, always releases the message.
class Call {
public:
    Call() = default;
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;
    ~Call() { murr_error_release(&error_); }
    murr_error_t *error() noexcept { return &error_; }
    void check(murr_status_t status) {
        if (status == MURR_OK) return;
        std::string message = error_.message != nullptr ? error_.message : "";
        murr_error_release(&error_);
        throw Error(status, std::move(message));
    }

private:
    murr_error_t error_ = MURR_ERROR_INIT;
};

inline std::vector<const char *> c_strings(const std::vector<std::string> &strings) {
    std::vector<const char *> out;
    out.reserve(strings.size());
    for (const auto &s : strings) out.push_back(s.c_str());
    return out;
}

/// A key descriptor over std::string keys: pointer + length each (MURR_KEYS_UTF8), so
/// that keys holding NUL bytes stay whole. Borrows `keys`.
class Utf8Keys {
public:
    explicit Utf8Keys(const std::vector<std::string> &keys) {
        ptrs_.reserve(keys.size());
        lengths_.reserve(keys.size());
        for (const auto &k : keys) {
            ptrs_.push_back(k.data());
            lengths_.push_back(k.size());
        }
    }
    murr_keys_t get() const noexcept { return murr_keys_utf8(ptrs_.data(), lengths_.data(), ptrs_.size()); }

private:
    std::vector<const char *> ptrs_;
    std::vector<size_t> lengths_;
};

/// How many keys a descriptor holds (an Arrow array's length for MURR_KEYS_ARROW).
inline size_t key_count(const murr_keys_t &keys) noexcept {
    if (keys.kind == MURR_KEYS_ARROW) {
        return keys.array != nullptr && keys.array->length > 0 ? static_cast<size_t>(keys.array->length) : 0;
    }
    return keys.count;
}

template <typename T> inline void release(T &s) noexcept {
    if (s.release != nullptr) s.release(&s);
}

} // namespace detail

/// Options of Db::open; starts from libmurr's defaults (murr_options_default).
class Options {
public:
    Options() noexcept { murr_options_default(&raw_); }
    /// The C struct, for fields without a setter.
    murr_options_t &raw() noexcept { return raw_; }
    const murr_options_t &raw() const noexcept { return raw_; }
    Options &sync_always() noexcept { raw_.sync = MURR_SYNC_ALWAYS; return *this; }
    Options &sync_never() noexcept { raw_.sync = MURR_SYNC_NEVER; return *this; }
    Options &sync_every_millis(uint32_t ms) noexcept {
        raw_.sync = MURR_SYNC_EVERY_MILLIS;
        raw_.sync_millis = ms;
        return *this;
    }
    Options &background_threads(uint32_t n) noexcept { raw_.background_threads = n; return *this; }
    Options &memtable_bytes(uint64_t n) noexcept { raw_.memtable_bytes = n; return *this; }
    Options &create_if_missing(bool b) noexcept { raw_.create_if_missing = b; return *this; }
    Options &skip_corrupt(bool b) noexcept { raw_.skip_corrupt = b; return *this; }
    Options &target_segment_bytes(uint64_t n) noexcept { raw_.target_segment_bytes = n; return *this; }
    /// < 0: no idle compaction.
    Options &idle_compaction_millis(int64_t ms) noexcept { raw_.idle_compaction_millis = ms; return *this; }
    /// Bytes of flushed write-ahead logs kept for Db::changes (UINT64_MAX: all; default 0).
    Options &change_retention_bytes(uint64_t n) noexcept { raw_.change_retention_bytes = n; return *this; }

private:
    murr_options_t raw_;
};

/// An owned struct ArrowSchema, released in the destructor.
class Schema {
public:
    Schema() noexcept { std::memset(&raw_, 0, sizeof raw_); }
    /// Takes ownership of `raw` (its release is set to NULL).
    explicit Schema(ArrowSchema &&raw) noexcept : raw_(raw) { raw.release = nullptr; }
    Schema(Schema &&o) noexcept : raw_(o.raw_) { o.raw_.release = nullptr; }
    Schema &operator=(Schema &&o) noexcept {
        if (this != &o) {
            detail::release(raw_);
            raw_ = o.raw_;
            o.raw_.release = nullptr;
        }
        return *this;
    }
    Schema(const Schema &) = delete;
    Schema &operator=(const Schema &) = delete;
    ~Schema() { detail::release(raw_); }

    const ArrowSchema &get() const noexcept { return raw_; }
    ArrowSchema *out() noexcept { detail::release(raw_); return &raw_; }
    const ArrowSchema *operator->() const noexcept { return &raw_; }
    /// Hands the structure to the caller (who must release it).
    ArrowSchema release() noexcept {
        ArrowSchema out = raw_;
        raw_.release = nullptr;
        return out;
    }
    bool valid() const noexcept { return raw_.release != nullptr; }
    /// The children's names (a struct schema's column names).
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (int64_t i = 0; i < raw_.n_children; i++) out.emplace_back(raw_.children[i]->name ? raw_.children[i]->name : "");
        return out;
    }
    /// A schema-level metadata value, if present ("murr.key" names a table's key column).
    std::optional<std::string> metadata(const std::string &key) const {
        const char *m = raw_.metadata;
        if (m == nullptr) return std::nullopt;
        int32_t n, len;
        std::memcpy(&n, m, 4);
        m += 4;
        for (int32_t i = 0; i < n; i++) {
            std::memcpy(&len, m, 4);
            std::string k(m + 4, static_cast<size_t>(len));
            m += 4 + len;
            std::memcpy(&len, m, 4);
            std::string v(m + 4, static_cast<size_t>(len));
            m += 4 + len;
            if (k == key) return v;
        }
        return std::nullopt;
    }

private:
    ArrowSchema raw_;
};

/// An owned struct ArrowArray (one batch of a Stream), released in the destructor.
class Array {
public:
    Array() noexcept { std::memset(&raw_, 0, sizeof raw_); }
    explicit Array(ArrowArray &&raw) noexcept : raw_(raw) { raw.release = nullptr; }
    Array(Array &&o) noexcept : raw_(o.raw_) { o.raw_.release = nullptr; }
    Array &operator=(Array &&o) noexcept {
        if (this != &o) {
            detail::release(raw_);
            raw_ = o.raw_;
            o.raw_.release = nullptr;
        }
        return *this;
    }
    Array(const Array &) = delete;
    Array &operator=(const Array &) = delete;
    ~Array() { detail::release(raw_); }

    const ArrowArray &get() const noexcept { return raw_; }
    ArrowArray *out() noexcept { detail::release(raw_); return &raw_; }
    const ArrowArray *operator->() const noexcept { return &raw_; }
    ArrowArray release() noexcept {
        ArrowArray out = raw_;
        raw_.release = nullptr;
        return out;
    }
    bool valid() const noexcept { return raw_.release != nullptr; }
    int64_t length() const noexcept { return raw_.length; }
    /// Child i of a struct array (column i).
    const ArrowArray &child(int64_t i) const noexcept { return *raw_.children[i]; }

private:
    ArrowArray raw_;
};

/// What Db::read returns: a struct array of one row per key (one child per asked column,
/// in order, nullable), its schema, and the found mask (1 found / 0 absent).
class Result {
public:
    Result() = default;
    const Array &array() const noexcept { return array_; }
    const Schema &schema() const noexcept { return schema_; }
    const std::vector<uint8_t> &found() const noexcept { return found_; }
    int64_t num_rows() const noexcept { return array_.length(); }
    int64_t num_columns() const noexcept { return array_->n_children; }
    const ArrowArray &column(int64_t i) const noexcept { return array_.child(i); }
    /// Hands both structures to the caller (e.g. to import them into Arrow C++ or
    /// nanoarrow); the caller releases them.
    void release(ArrowArray *array, ArrowSchema *schema) noexcept {
        *array = array_.release();
        *schema = schema_.release();
    }

private:
    friend class Db;
    Array array_;
    Schema schema_;
    std::vector<uint8_t> found_;
};

/// A consistent read view (Db::snapshot). Free it before its Db.
class Snapshot {
public:
    Snapshot() noexcept = default;
    explicit Snapshot(murr_snapshot_t *raw) noexcept : raw_(raw) {}
    Snapshot(Snapshot &&o) noexcept : raw_(std::exchange(o.raw_, nullptr)) {}
    Snapshot &operator=(Snapshot &&o) noexcept {
        if (this != &o) {
            murr_snapshot_free(raw_);
            raw_ = std::exchange(o.raw_, nullptr);
        }
        return *this;
    }
    Snapshot(const Snapshot &) = delete;
    Snapshot &operator=(const Snapshot &) = delete;
    ~Snapshot() { murr_snapshot_free(raw_); }
    /// The sequence number the snapshot reads at.
    uint64_t seq() const noexcept { return murr_snapshot_seq(raw_); }
    const murr_snapshot_t *get() const noexcept { return raw_; }
    explicit operator bool() const noexcept { return raw_ != nullptr; }
    void reset() noexcept { murr_snapshot_free(std::exchange(raw_, nullptr)); }

private:
    murr_snapshot_t *raw_ = nullptr;
};

/// An owned struct ArrowArrayStream (Db::scan): batches until next() returns nullopt.
class Stream {
public:
    Stream() noexcept { std::memset(&raw_, 0, sizeof raw_); }
    explicit Stream(ArrowArrayStream &&raw) noexcept : raw_(raw) { raw.release = nullptr; }
    Stream(Stream &&o) noexcept : raw_(o.raw_) { o.raw_.release = nullptr; }
    Stream &operator=(Stream &&o) noexcept {
        if (this != &o) {
            detail::release(raw_);
            raw_ = o.raw_;
            o.raw_.release = nullptr;
        }
        return *this;
    }
    Stream(const Stream &) = delete;
    Stream &operator=(const Stream &) = delete;
    ~Stream() { detail::release(raw_); }

    /// The batches' schema. Throws Error(MURR_ARROW) if the stream fails.
    Schema schema() {
        check_valid();
        Schema s;
        check(raw_.get_schema(&raw_, s.out()));
        return s;
    }
    /// The next batch, or nullopt at the end. Throws Error(MURR_ARROW) if the stream fails.
    std::optional<Array> next() {
        check_valid();
        Array a;
        check(raw_.get_next(&raw_, a.out()));
        if (!a.valid()) return std::nullopt;
        return a;
    }
    ArrowArrayStream *get() noexcept { return &raw_; }
    ArrowArrayStream release() noexcept {
        ArrowArrayStream out = raw_;
        raw_.release = nullptr;
        return out;
    }
    bool valid() const noexcept { return raw_.release != nullptr; }

private:
    void check_valid() const {
        if (raw_.release == nullptr) throw Error(MURR_INVALID_ARGUMENT, "the stream is released (or was moved from)");
    }
    void check(int code) {
        if (code == 0) return;
        const char *e = raw_.get_last_error(&raw_);
        throw Error(MURR_ARROW, e != nullptr ? e : "stream error " + std::to_string(code));
    }
    ArrowArrayStream raw_;
};

/// A database handle: open, use from any number of threads, close (or let the destructor
/// close and free it).
class Db {
public:
    /// Opens (or creates) the database in directory `path`.
    static Db open(const std::string &path, const Options &options = Options()) {
        detail::Call call;
        murr_db_t *raw = nullptr;
        call.check(murr_db_open(path.c_str(), &options.raw(), &raw, call.error()));
        return Db(raw);
    }
    Db() noexcept = default;
    /// Takes ownership of a handle from murr_db_open.
    explicit Db(murr_db_t *raw) noexcept : raw_(raw) {}
    Db(Db &&o) noexcept : raw_(std::exchange(o.raw_, nullptr)) {}
    Db &operator=(Db &&o) noexcept {
        if (this != &o) {
            murr_db_free(raw_);
            raw_ = std::exchange(o.raw_, nullptr);
        }
        return *this;
    }
    Db(const Db &) = delete;
    Db &operator=(const Db &) = delete;
    /// Closes (errors ignored: call close() to see them) and frees the handle.
    ~Db() { murr_db_free(raw_); }

    murr_db_t *get() const noexcept { return raw_; }
    explicit operator bool() const noexcept { return raw_ != nullptr; }

    /// Flushes, syncs and unlocks; later calls throw Error(MURR_CLOSED). The handle is
    /// freed by the destructor.
    void close() { call([&](murr_error_t *e) { return murr_db_close(raw_, e); }); }
    void flush() { call([&](murr_error_t *e) { return murr_db_flush(raw_, e); }); }
    void compact() { call([&](murr_error_t *e) { return murr_db_compact(raw_, e); }); }

    /// Creates table `name` with `schema` (a struct schema, borrowed) keyed by `key`.
    void create_table(const std::string &name, const ArrowSchema &schema, const std::string &key) {
        call([&](murr_error_t *e) { return murr_db_create_table(raw_, name.c_str(), &schema, key.c_str(), e); });
    }
    void drop_table(const std::string &name) {
        call([&](murr_error_t *e) { return murr_db_drop_table(raw_, name.c_str(), e); });
    }
    std::vector<std::string> tables() {
        murr_string_list_t list{0, nullptr};
        call([&](murr_error_t *e) { return murr_db_tables(raw_, &list, e); });
        std::vector<std::string> out;
        try {
            out.assign(list.items, list.items + list.count);
        } catch (...) {
            murr_string_list_free(&list);
            throw;
        }
        murr_string_list_free(&list);
        return out;
    }
    /// The table's schema; its metadata "murr.key" names the key column.
    Schema schema(const std::string &table) {
        Schema s;
        call([&](murr_error_t *e) { return murr_db_table_schema(raw_, table.c_str(), s.out(), e); });
        return s;
    }
    /// Adds a nullable column (`field`: one field schema, borrowed).
    void add_column(const std::string &table, const ArrowSchema &field) {
        call([&](murr_error_t *e) { return murr_db_add_column(raw_, table.c_str(), &field, e); });
    }

    /// Upserts a struct array (one record batch). `array` is moved into libmurr whether
    /// the call succeeds or throws; `schema` is borrowed. Returns the sequence number.
    uint64_t write(const std::string &table, ArrowArray &&array, const ArrowSchema &schema) {
        uint64_t seq = 0;
        call([&](murr_error_t *e) { return murr_db_write(raw_, table.c_str(), &array, &schema, &seq, e); });
        return seq;
    }
    /// Writes every batch of `stream` (moved into libmurr); the last batch's sequence number.
    uint64_t write_stream(const std::string &table, ArrowArrayStream &&stream) {
        uint64_t seq = 0;
        call([&](murr_error_t *e) { return murr_db_write_stream(raw_, table.c_str(), &stream, &seq, e); });
        return seq;
    }
    uint64_t write_stream(const std::string &table, Stream &&stream) {
        ArrowArrayStream raw = stream.release();
        return write_stream(table, std::move(raw));
    }

    /// Bulk-loads every batch of `stream` (moved into libmurr, success or throw) as one
    /// upsert sorted straight into the table's segments (murr_db_ingest_stream): all of
    /// it or nothing; columns cast to the table's types, columns it lacks keep their values.
    void ingest_stream(const std::string &table, ArrowArrayStream &&stream) {
        call([&](murr_error_t *e) { return murr_db_ingest_stream(raw_, table.c_str(), &stream, e); });
    }
    void ingest_stream(const std::string &table, Stream &&stream) {
        ArrowArrayStream raw = stream.release();
        ingest_stream(table, std::move(raw));
    }
    /// Bulk-loads a Parquet or Arrow IPC (file or stream format) file as
    /// `ingest_stream` does (murr_db_ingest_file): all of it or nothing.
    void ingest_file(const std::string &table, const std::string &path) {
        call([&](murr_error_t *e) { return murr_db_ingest_file(raw_, table.c_str(), path.c_str(), e); });
    }

    /// Deletes the keys of a descriptor (murr_keys_cstr, murr_keys_u64, ...; borrowed);
    /// returns the sequence number. The overloads below describe their keys with one.
    uint64_t delete_keys(const std::string &table, const murr_keys_t &keys) {
        uint64_t seq = 0;
        call([&](murr_error_t *e) { return murr_db_delete_keys(raw_, table.c_str(), &keys, &seq, e); });
        return seq;
    }
    /// utf8 keys (any bytes, NUL included, as UTF-8).
    uint64_t delete_keys(const std::string &table, const std::vector<std::string> &keys) {
        detail::Utf8Keys k(keys);
        return delete_keys(table, k.get());
    }
    uint64_t delete_keys(const std::string &table, const std::vector<int64_t> &keys) {
        return delete_keys(table, murr_keys_i64(keys.data(), keys.size()));
    }
    uint64_t delete_keys(const std::string &table, const std::vector<uint64_t> &keys) {
        return delete_keys(table, murr_keys_u64(keys.data(), keys.size()));
    }
    /// Deletes the keys of a plain array (moved into the binding, released whether the
    /// call succeeds or throws) of the key type.
    uint64_t delete_keys(const std::string &table, ArrowArray &&keys, const ArrowSchema &keys_schema) {
        Array owned(std::move(keys));
        return delete_keys(table, murr_keys_arrow(&owned.get(), &keys_schema));
    }

    /// Reads `columns` of `table` for the keys of a descriptor (borrowed), at `snapshot`
    /// (or now). The overloads below describe their keys with one.
    Result read(const std::string &table, const murr_keys_t &keys, const std::vector<std::string> &columns,
                const Snapshot *snapshot = nullptr) {
        Result r;
        auto c = detail::c_strings(columns);
        r.found_.resize(detail::key_count(keys));
        call([&](murr_error_t *e) {
            return murr_db_read_keys(raw_, snap(snapshot), table.c_str(), &keys, c.data(), c.size(), r.array_.out(),
                                     r.schema_.out(), r.found_.data(), e);
        });
        return r;
    }
    /// Reads `columns` of `table` for int64 keys (at `snapshot`, or now).
    Result read(const std::string &table, const std::vector<int64_t> &keys, const std::vector<std::string> &columns,
                const Snapshot *snapshot = nullptr) {
        return read(table, murr_keys_i64(keys.data(), keys.size()), columns, snapshot);
    }
    /// Reads `columns` of `table` for uint64 keys.
    Result read(const std::string &table, const std::vector<uint64_t> &keys, const std::vector<std::string> &columns,
                const Snapshot *snapshot = nullptr) {
        return read(table, murr_keys_u64(keys.data(), keys.size()), columns, snapshot);
    }
    /// Reads `columns` of `table` for utf8 keys.
    Result read(const std::string &table, const std::vector<std::string> &keys,
                const std::vector<std::string> &columns, const Snapshot *snapshot = nullptr) {
        detail::Utf8Keys k(keys);
        return read(table, k.get(), columns, snapshot);
    }
    /// Reads for the keys of an Arrow array (borrowed) of the key type.
    Result read(const std::string &table, const ArrowArray &keys, const ArrowSchema &keys_schema,
                const std::vector<std::string> &columns, const Snapshot *snapshot = nullptr) {
        return read(table, murr_keys_arrow(&keys, &keys_schema), columns, snapshot);
    }

    /// The dense tensor read for the keys of a descriptor (borrowed): out[i * columns.size()
    /// + j] = key i, column j as float, `fill` for nulls and absent keys. `out` holds
    /// n_keys * columns.size() floats; `found` (optional) n_keys bytes. The overloads below
    /// describe their keys with one.
    void read_f32(const std::string &table, const murr_keys_t &keys, const std::vector<std::string> &columns,
                  float fill, float *out, uint8_t *found = nullptr, const Snapshot *snapshot = nullptr) {
        auto c = detail::c_strings(columns);
        call([&](murr_error_t *e) {
            return murr_db_read_f32(raw_, snap(snapshot), table.c_str(), &keys, c.data(), c.size(), fill, out, found,
                                    e);
        });
    }
    void read_f32(const std::string &table, const int64_t *keys, size_t n_keys, const std::vector<std::string> &columns,
                  float fill, float *out, uint8_t *found = nullptr, const Snapshot *snapshot = nullptr) {
        read_f32(table, murr_keys_i64(keys, n_keys), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const uint64_t *keys, size_t n_keys,
                  const std::vector<std::string> &columns, float fill, float *out, uint8_t *found = nullptr,
                  const Snapshot *snapshot = nullptr) {
        read_f32(table, murr_keys_u64(keys, n_keys), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const std::vector<int64_t> &keys, const std::vector<std::string> &columns,
                  float fill, float *out, uint8_t *found = nullptr, const Snapshot *snapshot = nullptr) {
        read_f32(table, keys.data(), keys.size(), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const std::vector<uint64_t> &keys,
                  const std::vector<std::string> &columns, float fill, float *out, uint8_t *found = nullptr,
                  const Snapshot *snapshot = nullptr) {
        read_f32(table, keys.data(), keys.size(), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const std::vector<std::string> &keys,
                  const std::vector<std::string> &columns, float fill, float *out, uint8_t *found = nullptr,
                  const Snapshot *snapshot = nullptr) {
        detail::Utf8Keys k(keys);
        read_f32(table, k.get(), columns, fill, out, found, snapshot);
    }
    /// As above, resizing `out` (and `found` when given) to fit.
    void read_f32(const std::string &table, const std::vector<int64_t> &keys, const std::vector<std::string> &columns,
                  float fill, std::vector<float> &out, std::vector<uint8_t> *found = nullptr,
                  const Snapshot *snapshot = nullptr) {
        read_f32(table, murr_keys_i64(keys.data(), keys.size()), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const std::vector<uint64_t> &keys,
                  const std::vector<std::string> &columns, float fill, std::vector<float> &out,
                  std::vector<uint8_t> *found = nullptr, const Snapshot *snapshot = nullptr) {
        read_f32(table, murr_keys_u64(keys.data(), keys.size()), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const std::vector<std::string> &keys,
                  const std::vector<std::string> &columns, float fill, std::vector<float> &out,
                  std::vector<uint8_t> *found = nullptr, const Snapshot *snapshot = nullptr) {
        detail::Utf8Keys k(keys);
        read_f32(table, k.get(), columns, fill, out, found, snapshot);
    }
    void read_f32(const std::string &table, const murr_keys_t &keys, const std::vector<std::string> &columns,
                  float fill, std::vector<float> &out, std::vector<uint8_t> *found = nullptr,
                  const Snapshot *snapshot = nullptr) {
        size_t n = detail::key_count(keys);
        out.resize(n * columns.size());
        if (found != nullptr) found->resize(n);
        read_f32(table, keys, columns, fill, out.data(), found ? found->data() : nullptr, snapshot);
    }

    /// The dense write: one row per key of the descriptor (borrowed), the values of the
    /// float32 `columns` taken row-major from `values` (values[i * columns.size() + j] = key
    /// i, column j; n_keys * columns.size() floats, copied). A partial upsert of those
    /// columns; returns the sequence number.
    uint64_t write_f32(const std::string &table, const murr_keys_t &keys, const std::vector<std::string> &columns,
                       const float *values) {
        auto c = detail::c_strings(columns);
        uint64_t seq = 0;
        call([&](murr_error_t *e) {
            return murr_db_write_f32(raw_, table.c_str(), &keys, c.data(), c.size(), values, &seq, e);
        });
        return seq;
    }
    /// The dense write with `values` checked to hold keys.size() * columns.size() floats
    /// (else murr::Error with MURR_INVALID_ARGUMENT, nothing written).
    uint64_t write_f32(const std::string &table, const std::vector<int64_t> &keys,
                       const std::vector<std::string> &columns, const std::vector<float> &values) {
        check_cells(keys.size(), columns.size(), values.size());
        return write_f32(table, murr_keys_i64(keys.data(), keys.size()), columns, values.data());
    }
    uint64_t write_f32(const std::string &table, const std::vector<uint64_t> &keys,
                       const std::vector<std::string> &columns, const std::vector<float> &values) {
        check_cells(keys.size(), columns.size(), values.size());
        return write_f32(table, murr_keys_u64(keys.data(), keys.size()), columns, values.data());
    }
    uint64_t write_f32(const std::string &table, const std::vector<std::string> &keys,
                       const std::vector<std::string> &columns, const std::vector<float> &values) {
        check_cells(keys.size(), columns.size(), values.size());
        detail::Utf8Keys k(keys);
        return write_f32(table, k.get(), columns, values.data());
    }

    /// The statistics of `table` (segments, level-0 segments, segment rows and bytes,
    /// deleted rows, memtable bytes): see murr_table_stats_t.
    murr_table_stats_t table_stats(const std::string &table) {
        murr_table_stats_t s = MURR_TABLE_STATS_INIT;
        call([&](murr_error_t *e) { return murr_db_table_stats(raw_, table.c_str(), &s, e); });
        return s;
    }

    /// The engine's metrics: counters since the Db was opened (reads, keys, misses, read
    /// latency p50/p99/p999 and buckets, writes, rows, log fsyncs, flushes, compactions,
    /// write stalls) and gauges of memtables and segments: see murr_metrics_t.
    murr_metrics_t metrics() {
        murr_metrics_t m = MURR_METRICS_INIT;
        call([&](murr_error_t *e) { return murr_db_metrics(raw_, &m, e); });
        return m;
    }

    /// The engine's metrics in the Prometheus text exposition format (0.0.4).
    std::string metrics_prometheus() {
        char *text = nullptr;
        call([&](murr_error_t *e) { return murr_db_metrics_prometheus(raw_, &text, e); });
        std::string out = text ? text : "";
        murr_string_free(text);
        return out;
    }

    /// A consistent read view; free it (destroy the Snapshot) before the Db.
    Snapshot snapshot() {
        murr_snapshot_t *s = nullptr;
        call([&](murr_error_t *e) { return murr_db_snapshot(raw_, &s, e); });
        return Snapshot(s);
    }
    /// Every live row of `table` in key order, as batches of `columns` (empty: all, key
    /// first), at `snapshot` (or now). The stream may outlive the snapshot, not the Db.
    Stream scan(const std::string &table, const std::vector<std::string> &columns = {},
                const Snapshot *snapshot = nullptr) {
        auto c = detail::c_strings(columns);
        ArrowArrayStream raw;
        std::memset(&raw, 0, sizeof raw);
        call([&](murr_error_t *e) {
            return murr_db_scan(raw_, snap(snapshot), table.c_str(), c.data(), c.size(), &raw, e);
        });
        return Stream(std::move(raw));
    }

    /// The change feed of `table`: every write and delete with a sequence number above
    /// `since_seq`, up to the newest write visible now, as batches of `_seq` (uint64),
    /// `_op` ("write"/"delete"), the key, every other column, `_present`
    /// (fixed_size_list<bool>: which of those columns the write carried); the schema's
    /// metadata `murr.changes.end_seq` is where the next feed starts. A start older than
    /// the logs kept throws Error(MURR_CHANGES_NOT_RETAINED); a bulk ingest is not in the
    /// log, so reading past its marker fails. The stream must not outlive the Db.
    Stream changes(const std::string &table, uint64_t since_seq = 0) {
        ArrowArrayStream raw;
        std::memset(&raw, 0, sizeof raw);
        call([&](murr_error_t *e) { return murr_db_changes(raw_, table.c_str(), since_seq, &raw, e); });
        return Stream(std::move(raw));
    }
    /// The smallest `since_seq` changes() accepts now.
    uint64_t changes_oldest_since() {
        uint64_t out = 0;
        call([&](murr_error_t *e) { return murr_db_changes_oldest_since(raw_, &out, e); });
        return out;
    }

private:
    template <typename F> void call(F &&f) {
        detail::Call c;
        c.check(f(c.error()));
    }
    static const murr_snapshot_t *snap(const Snapshot *s) noexcept { return s != nullptr ? s->get() : nullptr; }
    static void check_cells(size_t keys, size_t columns, size_t values) {
        // The first test keeps keys * columns from overflowing in the second.
        if ((columns != 0 && keys > values / columns) || keys * columns != values) {
            throw Error(MURR_INVALID_ARGUMENT, std::to_string(keys) + " keys x " + std::to_string(columns) +
                                                   " columns need as many values; " + std::to_string(values) +
                                                   " given");
        }
    }

    murr_db_t *raw_ = nullptr;
};

} // namespace murr

#endif
