// murr::BatchBuilder: a record batch from std::vectors, as the Arrow C Data structs
// murr_db_create_table and murr_db_write take, without an Arrow library.
//
//   murr::BatchBuilder b;
//   b.add("id", std::vector<int64_t>{1, 2, 3})
//    .add("score", std::vector<float>{0.5f, 0.25f, 1.0f})
//    .add("name", std::vector<std::optional<std::string>>{"a", std::nullopt, "c"});
//   db.create_table("users", b.schema().get(), "id");   // the columns' schema (borrowed)
//   uint64_t seq = b.write(db, "users");                 // builds the batch, moves it in
//
// Column types: int64_t (Arrow "l"), uint64_t ("L"), int32_t ("i"), float ("f"), double
// ("g"), bool ("b"), std::string ("u", utf8); each as std::vector<T> (no nulls) or
// std::vector<std::optional<T>> (std::nullopt is null). Every column is declared nullable
// (a table's key column is stored not nullable whatever its schema says; a null key is
// refused by the write). All columns must have as many rows; add() throws murr::Error
// (MURR_INVALID_ARGUMENT) otherwise, or for a name added twice.
//
// Ownership: build() hands out a struct ArrowArray and a struct ArrowSchema the caller
// owns (each with its release callback, spec-conforming: children released by their
// parent unless moved out); write() gives the array to libmurr (which releases it) and
// releases the schema. A builder is emptied by build() and write(); schema() leaves it
// as it is. Not thread-safe.
#ifndef MURR_BATCH_HPP
#define MURR_BATCH_HPP

#include <murr/murr.hpp>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace murr {

namespace detail {

/// One column's buffers, owned by its ArrowArray (private_data).
struct BuiltColumn {
    std::vector<uint8_t> validity; // bitmap, LSB first; empty: no nulls
    std::vector<uint8_t> values;   // fixed-width values, packed bools, or utf8 bytes
    std::vector<int32_t> offsets;  // utf8 only
    const void *buffers[3] = {nullptr, nullptr, nullptr};
};

/// A column as added: its name, format, length and buffers.
struct PendingColumn {
    std::string name;
    std::string format;
    int64_t length = 0;
    int64_t null_count = 0;
    std::unique_ptr<BuiltColumn> data;
};

/// The struct array's own data (private_data): its children and their pointers.
struct BuiltBatch {
    std::vector<ArrowArray> children;
    std::vector<ArrowArray *> child_ptrs;
    const void *buffers[1] = {nullptr};
};

/// A child schema's strings (private_data).
struct BuiltField {
    std::string name;
    std::string format;
};

/// The struct schema's own data (private_data): its children and their pointers.
struct BuiltSchema {
    std::vector<ArrowSchema> children;
    std::vector<ArrowSchema *> child_ptrs;
};

inline void release_column(ArrowArray *a) noexcept {
    delete static_cast<BuiltColumn *>(a->private_data);
    a->private_data = nullptr;
    a->release = nullptr;
}

inline void release_batch(ArrowArray *a) noexcept {
    auto *b = static_cast<BuiltBatch *>(a->private_data);
    for (auto &c : b->children) {
        if (c.release != nullptr) c.release(&c);
    }
    delete b;
    a->private_data = nullptr;
    a->release = nullptr;
}

inline void release_field(ArrowSchema *s) noexcept {
    delete static_cast<BuiltField *>(s->private_data);
    s->private_data = nullptr;
    s->release = nullptr;
}

inline void release_struct_schema(ArrowSchema *s) noexcept {
    auto *b = static_cast<BuiltSchema *>(s->private_data);
    for (auto &c : b->children) {
        if (c.release != nullptr) c.release(&c);
    }
    delete b;
    s->private_data = nullptr;
    s->release = nullptr;
}

template <typename T> struct ArrowFormat;
template <> struct ArrowFormat<int64_t> { static constexpr const char *value = "l"; };
template <> struct ArrowFormat<uint64_t> { static constexpr const char *value = "L"; };
template <> struct ArrowFormat<int32_t> { static constexpr const char *value = "i"; };
template <> struct ArrowFormat<float> { static constexpr const char *value = "f"; };
template <> struct ArrowFormat<double> { static constexpr const char *value = "g"; };

inline void set_bit(std::vector<uint8_t> &bits, size_t i) noexcept {
    bits[i / 8] = static_cast<uint8_t>(bits[i / 8] | (1u << (i % 8)));
}

} // namespace detail

/// Builds one record batch column by column (see the top of this header).
class BatchBuilder {
public:
    BatchBuilder() = default;
    BatchBuilder(BatchBuilder &&) noexcept = default;
    BatchBuilder &operator=(BatchBuilder &&) noexcept = default;
    BatchBuilder(const BatchBuilder &) = delete;
    BatchBuilder &operator=(const BatchBuilder &) = delete;

    /// A fixed-width column without nulls (int64_t, uint64_t, int32_t, float, double).
    template <typename T> BatchBuilder &add(const std::string &name, const std::vector<T> &values) {
        auto d = std::make_unique<detail::BuiltColumn>();
        d->values.resize(values.size() * sizeof(T));
        if (!values.empty()) std::memcpy(d->values.data(), values.data(), d->values.size());
        return push(name, detail::ArrowFormat<T>::value, values.size(), 0, std::move(d));
    }
    /// A fixed-width column with nulls (std::nullopt).
    template <typename T> BatchBuilder &add(const std::string &name, const std::vector<std::optional<T>> &values) {
        auto d = std::make_unique<detail::BuiltColumn>();
        d->values.resize(values.size() * sizeof(T));
        d->validity.assign((values.size() + 7) / 8, 0);
        int64_t nulls = 0;
        for (size_t i = 0; i < values.size(); i++) {
            T v{};
            if (values[i]) {
                v = *values[i];
                detail::set_bit(d->validity, i);
            } else {
                nulls++;
            }
            std::memcpy(d->values.data() + i * sizeof(T), &v, sizeof(T));
        }
        return push(name, detail::ArrowFormat<T>::value, values.size(), nulls, std::move(d));
    }
    /// A bool column without nulls.
    BatchBuilder &add(const std::string &name, const std::vector<bool> &values) {
        auto d = std::make_unique<detail::BuiltColumn>();
        d->values.assign((values.size() + 7) / 8, 0);
        for (size_t i = 0; i < values.size(); i++) {
            if (values[i]) detail::set_bit(d->values, i);
        }
        return push(name, "b", values.size(), 0, std::move(d));
    }
    /// A bool column with nulls.
    BatchBuilder &add(const std::string &name, const std::vector<std::optional<bool>> &values) {
        auto d = std::make_unique<detail::BuiltColumn>();
        d->values.assign((values.size() + 7) / 8, 0);
        d->validity.assign((values.size() + 7) / 8, 0);
        int64_t nulls = 0;
        for (size_t i = 0; i < values.size(); i++) {
            if (!values[i]) {
                nulls++;
                continue;
            }
            detail::set_bit(d->validity, i);
            if (*values[i]) detail::set_bit(d->values, i);
        }
        return push(name, "b", values.size(), nulls, std::move(d));
    }
    /// A utf8 column without nulls (the strings' bytes as they are; they should be UTF-8:
    /// libmurr refuses a batch that is not).
    BatchBuilder &add(const std::string &name, const std::vector<std::string> &values) {
        std::vector<std::optional<std::string>> v(values.begin(), values.end());
        return add(name, v);
    }
    /// A utf8 column with nulls.
    BatchBuilder &add(const std::string &name, const std::vector<std::optional<std::string>> &values) {
        auto d = std::make_unique<detail::BuiltColumn>();
        d->offsets.reserve(values.size() + 1);
        d->offsets.push_back(0);
        d->validity.assign((values.size() + 7) / 8, 0);
        int64_t nulls = 0;
        for (size_t i = 0; i < values.size(); i++) {
            if (values[i]) {
                d->values.insert(d->values.end(), values[i]->begin(), values[i]->end());
                detail::set_bit(d->validity, i);
            } else {
                nulls++;
            }
            if (d->values.size() > static_cast<size_t>(INT32_MAX)) {
                throw Error(MURR_INVALID_ARGUMENT, "column '" + name + "' holds more than 2 GiB of bytes");
            }
            d->offsets.push_back(static_cast<int32_t>(d->values.size()));
        }
        if (nulls == 0) d->validity.clear();
        return push(name, "u", values.size(), nulls, std::move(d));
    }
    /// A utf8 column from C strings (none NULL).
    BatchBuilder &add(const std::string &name, const std::vector<const char *> &values) {
        std::vector<std::string> v(values.begin(), values.end());
        return add(name, v);
    }

    /// The number of rows (0 before the first column).
    int64_t rows() const noexcept { return columns_.empty() ? 0 : columns_.front().length; }
    /// The number of columns added.
    size_t size() const noexcept { return columns_.size(); }

    /// The struct schema of the columns added (for murr_db_create_table / Db::create_table,
    /// or to pass with the built array). The builder keeps its columns.
    Schema schema() const {
        auto owner = std::make_unique<detail::BuiltSchema>();
        owner->children.resize(columns_.size());
        owner->child_ptrs.resize(columns_.size());
        for (size_t i = 0; i < columns_.size(); i++) {
            auto field = std::make_unique<detail::BuiltField>(detail::BuiltField{columns_[i].name, columns_[i].format});
            ArrowSchema &c = owner->children[i];
            c.format = field->format.c_str();
            c.name = field->name.c_str();
            c.metadata = nullptr;
            c.flags = ARROW_FLAG_NULLABLE;
            c.n_children = 0;
            c.children = nullptr;
            c.dictionary = nullptr;
            c.release = detail::release_field;
            c.private_data = field.release();
            owner->child_ptrs[i] = &c;
        }
        ArrowSchema s;
        s.format = "+s";
        s.name = "";
        s.metadata = nullptr;
        s.flags = 0;
        s.n_children = static_cast<int64_t>(columns_.size());
        s.children = owner->child_ptrs.empty() ? nullptr : owner->child_ptrs.data();
        s.dictionary = nullptr;
        s.release = detail::release_struct_schema;
        s.private_data = owner.release();
        return Schema(std::move(s));
    }

    /// Hands the batch out as a struct array the caller owns (release it, or move it into
    /// Db::write / murr_db_write). Empties the builder.
    Array build() {
        auto owner = std::make_unique<detail::BuiltBatch>();
        owner->children.resize(columns_.size());
        owner->child_ptrs.resize(columns_.size());
        int64_t rows = this->rows();
        for (size_t i = 0; i < columns_.size(); i++) {
            detail::PendingColumn &p = columns_[i];
            detail::BuiltColumn *d = p.data.release();
            const bool utf8 = p.format == "u";
            d->buffers[0] = d->validity.empty() ? nullptr : d->validity.data();
            if (utf8) {
                d->buffers[1] = d->offsets.data();
                // A non-NULL values buffer even when every string is empty.
                d->values.reserve(1);
                d->buffers[2] = d->values.data();
            } else {
                d->values.reserve(1);
                d->buffers[1] = d->values.data();
            }
            ArrowArray &c = owner->children[i];
            c.length = p.length;
            c.null_count = p.null_count;
            c.offset = 0;
            c.n_buffers = utf8 ? 3 : 2;
            c.n_children = 0;
            c.buffers = d->buffers;
            c.children = nullptr;
            c.dictionary = nullptr;
            c.release = detail::release_column;
            c.private_data = d;
            owner->child_ptrs[i] = &c;
        }
        columns_.clear();
        ArrowArray a;
        a.length = rows;
        a.null_count = 0;
        a.offset = 0;
        a.n_buffers = 1;
        a.n_children = static_cast<int64_t>(owner->children.size());
        a.buffers = owner->buffers;
        a.children = owner->child_ptrs.empty() ? nullptr : owner->child_ptrs.data();
        a.dictionary = nullptr;
        a.release = detail::release_batch;
        a.private_data = owner.release();
        return Array(std::move(a));
    }

    /// Upserts the batch into `table` of `db` (Db::write) and returns the sequence number.
    /// Empties the builder, whether the write succeeds or throws.
    uint64_t write(Db &db, const std::string &table) {
        Schema s = schema();
        ArrowArray a = build().release();
        return db.write(table, std::move(a), s.get());
    }

private:
    BatchBuilder &push(const std::string &name, const char *format, size_t length, int64_t nulls,
                       std::unique_ptr<detail::BuiltColumn> data) {
        for (const auto &c : columns_) {
            if (c.name == name) throw Error(MURR_INVALID_ARGUMENT, "column '" + name + "' is added twice");
        }
        if (!columns_.empty() && static_cast<int64_t>(length) != rows()) {
            throw Error(MURR_INVALID_ARGUMENT, "column '" + name + "' has " + std::to_string(length) +
                                                   " rows; the columns before it have " + std::to_string(rows()));
        }
        if (nulls == 0) data->validity.clear();
        columns_.push_back(detail::PendingColumn{name, format, static_cast<int64_t>(length), nulls, std::move(data)});
        return *this;
    }

    std::vector<detail::PendingColumn> columns_;
};

} // namespace murr

#endif
