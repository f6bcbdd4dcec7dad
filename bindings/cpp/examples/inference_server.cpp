// A toy inference server over libmurr: loads a feature table (int64 keys, 16 float32
// features), then serves batches of random keys — a dense read into a float tensor, then a
// model (a dot product with a weight vector and a sigmoid) — and prints the p50/p99/p999
// latency of the read and of the whole request.
//
//   inference_server [--rows N] [--requests R] [--batch K] [--db DIR]
//
// Defaults: 200000 rows, 2000 requests of 256 keys, a temporary database removed at exit.
// Checks the features it reads (exit status 1 on a wrong value).
#include <murr/murr.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int kFeatures = 16;

// Feature j of key k (exactly representable as float).
float feature(int64_t k, int j) { return static_cast<float>((k * 31 + j * 7) % 1000) / 8.0f; }

// A struct ArrowArray / ArrowSchema built by hand (the Arrow C Data Interface), owning its
// buffers through private_data.
struct Owned {
    std::vector<std::vector<char>> buffers;
    std::vector<const void *> pointers;
    std::vector<ArrowArray> children;
    std::vector<ArrowArray *> child_pointers;
};

void release_array(ArrowArray *a) {
    auto *o = static_cast<Owned *>(a->private_data);
    for (auto &c : o->children)
        if (c.release) c.release(&c);
    delete o;
    a->release = nullptr;
}

ArrowArray primitive(std::vector<char> values, int64_t n) {
    auto *o = new Owned;
    o->buffers.push_back(std::move(values));
    o->pointers = {nullptr, o->buffers[0].data()};
    ArrowArray a{};
    a.length = n;
    a.n_buffers = 2;
    a.buffers = o->pointers.data();
    a.release = release_array;
    a.private_data = o;
    return a;
}

ArrowArray batch(int64_t first, int64_t n) {
    auto *o = new Owned;
    std::vector<char> keys(static_cast<size_t>(n) * 8);
    for (int64_t i = 0; i < n; i++) {
        int64_t k = first + i;
        std::memcpy(keys.data() + i * 8, &k, 8);
    }
    o->children.push_back(primitive(std::move(keys), n));
    for (int j = 0; j < kFeatures; j++) {
        std::vector<char> values(static_cast<size_t>(n) * 4);
        for (int64_t i = 0; i < n; i++) {
            float v = feature(first + i, j);
            std::memcpy(values.data() + i * 4, &v, 4);
        }
        o->children.push_back(primitive(std::move(values), n));
    }
    for (auto &c : o->children) o->child_pointers.push_back(&c);
    o->pointers = {nullptr};
    ArrowArray a{};
    a.length = n;
    a.n_buffers = 1;
    a.n_children = static_cast<int64_t>(o->children.size());
    a.buffers = o->pointers.data();
    a.children = o->child_pointers.data();
    a.release = release_array;
    a.private_data = o;
    return a;
}

struct SchemaOwned {
    std::vector<std::string> names;
    std::vector<ArrowSchema> children;
    std::vector<ArrowSchema *> pointers;
};

void release_schema(ArrowSchema *s) {
    delete static_cast<SchemaOwned *>(s->private_data);
    s->release = nullptr;
}
void release_child(ArrowSchema *s) { s->release = nullptr; }

murr::Schema schema(std::vector<std::string> *columns) {
    auto *o = new SchemaOwned;
    o->names.push_back("id");
    for (int j = 0; j < kFeatures; j++) o->names.push_back("f" + std::to_string(j));
    for (size_t i = 0; i < o->names.size(); i++) {
        ArrowSchema c{};
        c.format = i == 0 ? "l" : "f";
        c.name = o->names[i].c_str();
        c.flags = i == 0 ? 0 : ARROW_FLAG_NULLABLE;
        c.release = release_child;
        o->children.push_back(c);
    }
    for (auto &c : o->children) o->pointers.push_back(&c);
    columns->assign(o->names.begin() + 1, o->names.end());
    ArrowSchema s{};
    s.format = "+s";
    s.name = "";
    s.n_children = static_cast<int64_t>(o->children.size());
    s.children = o->pointers.data();
    s.release = release_schema;
    s.private_data = o;
    return murr::Schema(std::move(s));
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    return v[std::min(i, v.size() - 1)];
}

long arg(int argc, char **argv, const char *name, long fallback) {
    for (int i = 1; i + 1 < argc; i++)
        if (std::strcmp(argv[i], name) == 0) return std::strtol(argv[i + 1], nullptr, 10);
    return fallback;
}

} // namespace

int main(int argc, char **argv) {
    const int64_t rows = arg(argc, argv, "--rows", 200000);
    const long requests = arg(argc, argv, "--requests", 2000);
    const size_t batch_size = static_cast<size_t>(arg(argc, argv, "--batch", 256));
    std::string dir;
    bool temporary = true;
    for (int i = 1; i + 1 < argc; i++)
        if (std::strcmp(argv[i], "--db") == 0) dir = argv[i + 1], temporary = false;
    if (dir.empty()) {
        std::string tmpl = (std::filesystem::temp_directory_path() / "murr-inference-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) return 2;
        dir = tmpl;
    }
    if (rows <= 0 || requests <= 0 || batch_size == 0) {
        std::fprintf(stderr, "usage: inference_server [--rows N] [--requests R] [--batch K] [--db DIR]\n");
        return 2;
    }

    int status = 0;
    try {
        murr::Db db = murr::Db::open(dir, murr::Options().sync_never());
        std::vector<std::string> columns;
        murr::Schema s = schema(&columns);
        db.create_table("features", s.get(), "id");

        auto t0 = std::chrono::steady_clock::now();
        for (int64_t first = 0; first < rows; first += 50000)
            db.write("features", batch(first, std::min<int64_t>(50000, rows - first)), s.get());
        db.flush();
        db.compact();
        double load = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("loaded %lld rows x %d features in %.2f s\n", static_cast<long long>(rows), kFeatures, load);

        std::vector<float> weights(kFeatures);
        for (int j = 0; j < kFeatures; j++) weights[j] = 0.01f * static_cast<float>(j - kFeatures / 2);
        std::mt19937_64 rng(42);
        std::uniform_int_distribution<int64_t> pick(0, rows - 1);
        std::vector<int64_t> keys(batch_size);
        std::vector<float> tensor(batch_size * kFeatures), scores(batch_size);
        std::vector<uint8_t> found(batch_size);
        std::vector<double> read_us, request_us;
        read_us.reserve(static_cast<size_t>(requests));
        request_us.reserve(static_cast<size_t>(requests));
        double checksum = 0;
        for (long r = 0; r < requests; r++) {
            for (auto &k : keys) k = pick(rng);
            auto start = std::chrono::steady_clock::now();
            db.read_f32("features", keys.data(), keys.size(), columns, 0.0f, tensor.data(), found.data());
            auto read_done = std::chrono::steady_clock::now();
            for (size_t i = 0; i < batch_size; i++) {
                float z = 0;
                for (int j = 0; j < kFeatures; j++) z += tensor[i * kFeatures + j] * weights[j];
                scores[i] = 1.0f / (1.0f + std::exp(-z));
            }
            auto end = std::chrono::steady_clock::now();
            read_us.push_back(std::chrono::duration<double, std::micro>(read_done - start).count());
            request_us.push_back(std::chrono::duration<double, std::micro>(end - start).count());
            checksum += scores[0];
            // Check the first key of each request (outside the timed part).
            if (!found[0] || tensor[kFeatures - 1] != feature(keys[0], kFeatures - 1)) {
                std::fprintf(stderr, "request %ld: key %lld read wrong\n", r, static_cast<long long>(keys[0]));
                status = 1;
                break;
            }
        }
        std::printf("%ld requests of %zu keys (checksum %.3f)\n", requests, batch_size, checksum);
        std::printf("  dense read: p50 %8.1f us  p99 %8.1f us  p999 %8.1f us\n", percentile(read_us, 0.5),
                    percentile(read_us, 0.99), percentile(read_us, 0.999));
        std::printf("  request:    p50 %8.1f us  p99 %8.1f us  p999 %8.1f us\n", percentile(request_us, 0.5),
                    percentile(request_us, 0.99), percentile(request_us, 0.999));
        db.close();
    } catch (const murr::Error &e) {
        std::fprintf(stderr, "inference_server: %s\n", e.what());
        status = 1;
    }
    if (temporary) std::filesystem::remove_all(dir);
    return status;
}
