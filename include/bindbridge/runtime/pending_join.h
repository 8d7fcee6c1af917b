// include/bindbridge/runtime/pending_join.h: a module's framework waiting to join, as the Python package finds it.
//
// The wire between the adapters (imports.h leaves one per module and
// framework when the module is loaded) and bindbridge._diag, which may
// come from another bindbridge version: a list of capsules under this key
// of the interpreter dict.  Plain C++11, no Python header: _diag reads it
// with the limited API.
#ifndef BINDBRIDGE_RUNTIME_PENDING_JOIN_H
#define BINDBRIDGE_RUNTIME_PENDING_JOIN_H

#include <stdint.h>

#define BINDBRIDGE_PENDING_JOINS_KEY "__bindbridge_pending_joins_v1"
#define BINDBRIDGE_PENDING_JOIN_CAPSULE "bindbridge.pending_join"

namespace bindbridge {
namespace detail {

struct pending_join {
    uint32_t size;    // sizeof(pending_join) of the writer
    uint32_t version; // 1; later versions only append
    // Joins the module's framework: 0, or -1 with a Python error set.
    int (*join)();
    // The module's shared object as the loader names it: the package joins
    // only modules that finished importing.
    const char* file;
};

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_PENDING_JOIN_H
