// A program using an installed libmurr through murr/murr.hpp.
#include <murr/murr.hpp>

#include <cstdio>

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    try {
        murr::Db db = murr::Db::open(argv[1]);
        try {
            db.drop_table("missing");
            return 3;
        } catch (const murr::Error &e) {
            if (e.status() != MURR_UNKNOWN_TABLE) return 4;
        }
        std::printf("consumer (C++) ok: libmurr %s, %zu tables\n", murr::version(), db.tables().size());
    } catch (const murr::Error &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
