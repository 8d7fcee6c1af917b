// include/bindbridge/runtime/enums.h: enums served by value, as the spec's "Conventions" ask.
//
// An owner whose enum members hold no C++ storage (nanobind's enums,
// pybind11 3.x's py::native_enum) hands out, from from_python, a buffer
// of the enum's size holding the value, which the caller keeps with
// keep_referenced; to_python reads the value back from the caller's C++
// object.  Plain stores and loads of the enum's size: any byte order.
#ifndef BINDBRIDGE_RUNTIME_ENUMS_H
#define BINDBRIDGE_RUNTIME_ENUMS_H

#include <cstdint>
#include <cstring>

#include "runtime.h"

namespace bindbridge {
namespace detail {

// Stores enum value v in `size` bytes at p as the C++ enum is stored.
inline void write_enum(void* p, int64_t v, uint8_t size) noexcept {
    switch (size) {
        case 1: { uint8_t x = (uint8_t) v; std::memcpy(p, &x, 1); break; }
        case 2: { uint16_t x = (uint16_t) v; std::memcpy(p, &x, 2); break; }
        case 4: { uint32_t x = (uint32_t) v; std::memcpy(p, &x, 4); break; }
        default: std::memcpy(p, &v, 8);
    }
}

// The value of an enum stored in `size` bytes at p.
inline int64_t read_enum(const void* p, uint8_t size, bool is_signed) noexcept {
    switch (size) {
        case 1: return is_signed ? (int64_t) * (const int8_t*) p : (int64_t) * (const uint8_t*) p;
        case 2: return is_signed ? (int64_t) * (const int16_t*) p : (int64_t) * (const uint16_t*) p;
        case 4: return is_signed ? (int64_t) * (const int32_t*) p : (int64_t) * (const uint32_t*) p;
        default: return *(const int64_t*) p;
    }
}

// A buffer holding v, kept by the caller (keep_referenced); nullptr (no
// error set) if it cannot be made.
inline void* kept_enum_value(int64_t v, uint8_t size, keep_referenced_fn keep, void* ctx) noexcept {
    PyObject* buf = keep ? PyBytes_FromStringAndSize(nullptr, size) : nullptr;
    if (!buf) {
        PyErr_Clear();
        return nullptr;
    }
    write_enum(PyBytes_AS_STRING(buf), v, size);
    keep(ctx, buf);
    void* p = PyBytes_AS_STRING(buf); // (the caller's reference keeps it)
    Py_DECREF(buf);
    return p;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_ENUMS_H
