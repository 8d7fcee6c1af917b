// include/bindbridge/runtime/tables.h: the record's per-type tables of bindings.
//
// A framework record keeps, for every type published on the registry, an
// entry in a few tables (foreign bindings by C++ type, the announced set,
// its own bindings by Python type and by C++ type).  With 10,000 types and
// a handful of frameworks in a process those entries are most of what
// bindbridge costs in memory and in export time, so they are two words
// each, a binding pointer and its key's hash: open addressing with linear
// probing, at most three quarters full.  An entry's key is read from the
// binding it points to (every binding in a table is announced or ours, so
// it may be dereferenced), and a key with several bindings (one C++ type
// bound by two frameworks, rare) points to a vector instead, marked by the
// pointer's low bit.  Removal shifts the entries behind back (no
// tombstones), so a lookup stops at the first empty slot.
//
// A span handed out (find) stays valid until the table changes; the record
// bumps its epoch on every change, which is what invalidates the caches
// holding spans.
#ifndef BINDBRIDGE_RUNTIME_TABLES_H
#define BINDBRIDGE_RUNTIME_TABLES_H

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <vector>

#include "../protocol.h"

namespace bindbridge {
namespace detail {

// The bindings of one key, in insertion order (empty: none).
struct binding_span {
    bbr_binding* const* data = nullptr;
    std::size_t size = 0;

    binding_span() = default;
    binding_span(bbr_binding* const* d, std::size_t n) noexcept : data(d), size(n) {}

    explicit operator bool() const noexcept { return size != 0; }
    bool empty() const noexcept { return size == 0; }
    bbr_binding* front() const noexcept { return data[0]; }
    bbr_binding* const* begin() const noexcept { return data; }
    bbr_binding* const* end() const noexcept { return data + size; }
};

// A copy of a span, for walking bindings while the table may change
// (a foreign from_python can run Python code): on the stack when small.
class binding_copy {
public:
    explicit binding_copy(binding_span s) : size_(s.size) {
        if (s.size <= inline_n) {
            if (s.size)
                std::memcpy(small_, s.data, s.size * sizeof(bbr_binding*));
            data_ = small_;
        } else {
            big_.assign(s.begin(), s.end());
            data_ = big_.data();
        }
    }
    binding_copy(const binding_copy&) = delete;
    binding_copy& operator=(const binding_copy&) = delete;
    binding_span span() const noexcept { return {data_, size_}; }

private:
    static constexpr std::size_t inline_n = 4;
    bbr_binding* small_[inline_n];
    std::vector<bbr_binding*> big_;
    bbr_binding* const* data_;
    std::size_t size_;
};

inline uint64_t mix_hash(uint64_t h) noexcept {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

// Keys: the binding itself (the announced set) and its Python type.
struct key_binding {
    using type = const void*;
    static type of(const bbr_binding* b) noexcept { return b; }
    static uint64_t hash(type k) noexcept { return mix_hash(reinterpret_cast<uintptr_t>(k)); }
    static bool equal(type a, type b) noexcept { return a == b; }
};
struct key_pytype {
    using type = const void*;
    static type of(const bbr_binding* b) noexcept { return b->pytype; }
    static uint64_t hash(type k) noexcept { return mix_hash(reinterpret_cast<uintptr_t>(k)); }
    static bool equal(type a, type b) noexcept { return a == b; }
};

template <typename Key>
class binding_table {
public:
    using key_type = typename Key::type;

    binding_table() = default;
    binding_table(const binding_table&) = delete;
    binding_table& operator=(const binding_table&) = delete;
    ~binding_table() {
        for (std::size_t i = 0; i < cap_; ++i)
            if (is_list(slots_[i].b))
                delete list_of(slots_[i].b);
        std::free(slots_);
    }

    std::size_t size() const noexcept { return size_; } // keys
    bool empty() const noexcept { return size_ == 0; }

    binding_span find(key_type k) const noexcept {
        std::size_t i = index_of(k, Key::hash(k));
        if (i == npos)
            return {};
        return span_at(i);
    }
    bool contains(key_type k) const noexcept { return index_of(k, Key::hash(k)) != npos; }
    bbr_binding* first(key_type k) const noexcept {
        binding_span s = find(k);
        return s ? s.front() : nullptr;
    }

    // Adds b under its key unless the key is there (then: false, no change).
    // Throws std::bad_alloc.
    bool insert(bbr_binding* b) {
        key_type k = Key::of(b);
        uint64_t h = Key::hash(k);
        if (index_of(k, h) != npos)
            return false;
        place_new(b, h);
        return true;
    }

    // Adds b at the end of its key's bindings.  Throws std::bad_alloc.
    void append(bbr_binding* b) {
        key_type k = Key::of(b);
        uint64_t h = Key::hash(k);
        std::size_t i = index_of(k, h);
        if (i == npos) {
            place_new(b, h);
            return;
        }
        if (is_list(slots_[i].b)) {
            list_of(slots_[i].b)->push_back(b);
            return;
        }
        auto* v = new std::vector<bbr_binding*>{slots_[i].b, b};
        slots_[i].b = as_list(v);
    }

    // Removes b (found by its key, which it must still give); true if it
    // was there.
    bool erase(const bbr_binding* b) noexcept { return erase(Key::of(b), b); }

    // Removes b, filed under key k, without reading b: it may be freed
    // already if it was the key's only binding (publish's failure path).
    // True if it was there.
    bool erase(key_type k, const bbr_binding* b) noexcept {
        if (size_ == 0)
            return false;
        uint64_t h = Key::hash(k);
        std::size_t mask = cap_ - 1;
        std::size_t i = std::size_t(h) & mask;
        for (;; i = (i + 1) & mask) {
            const entry& e = slots_[i];
            if (!e.b)
                return false;
            if (e.b == b || (e.hash == h && Key::equal(Key::of(head(e.b)), k)))
                break;
        }
        if (is_list(slots_[i].b)) {
            std::vector<bbr_binding*>* v = list_of(slots_[i].b);
            for (auto it = v->begin(); it != v->end(); ++it)
                if (*it == b) {
                    v->erase(it);
                    if (v->size() == 1) {
                        slots_[i].b = v->front();
                        delete v;
                    }
                    return true;
                }
            return false;
        }
        if (slots_[i].b != b)
            return false;
        remove_slot(i);
        return true;
    }

    // f(binding_span) for every key, in no particular order.  f must not
    // change the table.
    template <typename F>
    void for_each(F&& f) const {
        for (std::size_t i = 0; i < cap_; ++i)
            if (slots_[i].b)
                f(span_at(i));
    }

private:
    static constexpr std::size_t npos = ~std::size_t(0);

    // The key's hash is kept beside the binding: probing compares it
    // first, and growing never reads a binding.
    struct entry {
        uint64_t hash;
        bbr_binding* b; // nullptr: empty
    };
    entry* slots_ = nullptr;
    std::size_t cap_ = 0; // 0 or a power of two
    std::size_t size_ = 0;

    static bool is_list(bbr_binding* s) noexcept { return (reinterpret_cast<uintptr_t>(s) & 1u) != 0; }
    static std::vector<bbr_binding*>* list_of(bbr_binding* s) noexcept {
        return reinterpret_cast<std::vector<bbr_binding*>*>(reinterpret_cast<uintptr_t>(s) & ~uintptr_t(1));
    }
    static bbr_binding* as_list(std::vector<bbr_binding*>* v) noexcept {
        return reinterpret_cast<bbr_binding*>(reinterpret_cast<uintptr_t>(v) | 1u);
    }
    static const bbr_binding* head(bbr_binding* s) noexcept {
        return is_list(s) ? list_of(s)->front() : s;
    }

    binding_span span_at(std::size_t i) const noexcept {
        bbr_binding* const& s = slots_[i].b;
        if (is_list(s)) {
            const std::vector<bbr_binding*>* v = list_of(s);
            return {v->data(), v->size()};
        }
        return {&s, 1};
    }

    std::size_t index_of(key_type k, uint64_t h) const noexcept {
        if (size_ == 0)
            return npos;
        std::size_t mask = cap_ - 1;
        for (std::size_t i = std::size_t(h) & mask;; i = (i + 1) & mask) {
            const entry& e = slots_[i];
            if (!e.b)
                return npos;
            if (e.hash == h && Key::equal(Key::of(head(e.b)), k))
                return i;
        }
    }

    void place_new(bbr_binding* b, uint64_t h) {
        if ((size_ + 1) * 4 > cap_ * 3)
            grow();
        std::size_t mask = cap_ - 1;
        std::size_t i = std::size_t(h) & mask;
        while (slots_[i].b)
            i = (i + 1) & mask;
        slots_[i] = entry{h, b};
        ++size_;
    }

    void grow() {
        std::size_t cap = cap_ ? cap_ * 2 : 8;
        auto* fresh = static_cast<entry*>(std::calloc(cap, sizeof(entry)));
        if (!fresh)
            throw std::bad_alloc();
        for (std::size_t j = 0; j < cap_; ++j)
            if (slots_[j].b) {
                std::size_t i = std::size_t(slots_[j].hash) & (cap - 1);
                while (fresh[i].b)
                    i = (i + 1) & (cap - 1);
                fresh[i] = slots_[j];
            }
        std::free(slots_);
        slots_ = fresh;
        cap_ = cap;
    }

    // Empties slot i and moves back the entries of its probe run that may
    // sit there, so that no lookup meets a hole before its key.
    void remove_slot(std::size_t i) noexcept {
        std::size_t mask = cap_ - 1;
        slots_[i].b = nullptr;
        --size_;
        for (std::size_t j = (i + 1) & mask; slots_[j].b; j = (j + 1) & mask) {
            std::size_t h = std::size_t(slots_[j].hash) & mask;
            // j's entry may move to i when i lies on its probe path: from
            // its home h to j, cyclically.
            if (((j - h) & mask) >= ((j - i) & mask)) {
                slots_[i] = slots_[j];
                slots_[j].b = nullptr;
                i = j;
            }
        }
    }
};

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_TABLES_H
