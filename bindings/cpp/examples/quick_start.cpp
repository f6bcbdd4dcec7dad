// The quick-start of bindings/cpp/README.md: a table made from a murr::BatchBuilder's
// columns, a first write, a dense float32 write and read, the table's statistics.
//   quick_start DB_DIR
// Built here (examples/) and, against the installed package, by the install test
// (tests/install: find_package(murr) and pkg-config).
#include <murr/batch.hpp>
#include <murr/murr.hpp>

#include <cstdio>

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    try {
        murr::Db db = murr::Db::open(argv[1]);

        murr::BatchBuilder batch;
        batch.add("user", std::vector<std::string>{"ann", "bob"})
            .add("ctr", std::vector<float>{0.5f, 0.25f})
            .add("clicks", std::vector<int64_t>{3, 7});
        db.create_table("users", batch.schema().get(), "user");
        batch.write(db, "users");

        db.write_f32("users", std::vector<std::string>{"cid"}, {"ctr"}, std::vector<float>{0.75f});
        std::vector<float> x;
        db.read_f32("users", std::vector<std::string>{"ann", "cid", "dan"}, {"ctr", "clicks"}, 0.0f, x);
        murr_table_stats_t stats = db.table_stats("users");

        if (x != std::vector<float>{0.5f, 3.0f, 0.75f, 0.0f, 0.0f, 0.0f}) return 3;
        try {
            db.drop_table("missing");
            return 4;
        } catch (const murr::Error &e) {
            if (e.status() != MURR_UNKNOWN_TABLE) return 5;
        }
        std::printf("quick_start ok: libmurr %s, %zu tables, %llu memtable bytes\n", murr::version(),
                    db.tables().size(), static_cast<unsigned long long>(stats.memtable_bytes));
    } catch (const murr::Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
