// include/bindbridge/conduit/ids.h: the pybind11 platform ABI ids bindbridge speaks in the cpp conduit.
//
// A conduit call names the caller's platform ABI; the callee answers only
// its own id.  pybind11 3.x's id is the pymetabind ABI tag itself
// (runtime/abi_tag.h).  pybind11 2.11.2-2.13's older id
// ("_gcc_libstdcpp_cxxabi1017") leaves out the libstdc++ string ABI: a
// module built with _GLIBCXX_USE_CXX11_ABI=0 (every manylinux2014 wheel)
// uses the same id as one built with the default, and a pointer passed
// between them is read with another std::string layout.  So bindbridge
// speaks that id, answering or asking, only once the user has said which
// string ABI the process's pybind11 2.x modules use
// (bindbridge.assume_pybind11_2x_string_abi, kept in the registry's dict)
// and it is ours.
#ifndef BINDBRIDGE_CONDUIT_IDS_H
#define BINDBRIDGE_CONDUIT_IDS_H

#include <cstring>

#include "../runtime/runtime.h"
#include "string_abi_key.h"

namespace bindbridge {
namespace detail {

#define BINDBRIDGE_CONDUIT_STR2(x) #x
#define BINDBRIDGE_CONDUIT_STR(x) BINDBRIDGE_CONDUIT_STR2(x)

// The ids of the pybind11 platform ABI we can answer for, or nullptr.
inline const char* conduit_id_v3() noexcept { return BINDBRIDGE_PLATFORM_ABI_TAG; }

inline const char* conduit_id_v2() noexcept {
#if defined(__GNUC__) && !defined(__clang__) && !defined(__MINGW32__) && !defined(__CYGWIN__) && \
    defined(__GLIBCXX__) && defined(__GXX_ABI_VERSION) && defined(_GLIBCXX_USE_CXX11_ABI) &&    \
    !defined(_GLIBCXX_DEBUG)
    return "_gcc_libstdcpp_cxxabi" BINDBRIDGE_CONDUIT_STR(__GXX_ABI_VERSION);
#else
    return nullptr;
#endif
}

// Whether the user vouched that pybind11 2.x modules use our string ABI.
inline bool pybind11_2x_string_abi_is_ours() noexcept {
#if defined(_GLIBCXX_USE_CXX11_ABI)
    PyObject* dict = bbr_registry_dict();
    PyObject* v = dict ? PyDict_GetItemString(dict, BINDBRIDGE_PYBIND11_2X_STRING_ABI_KEY) : nullptr;
    if (!v || !PyLong_Check(v)) {
        PyErr_Clear();
        return false;
    }
    long n = PyLong_AsLong(v);
    PyErr_Clear();
    return n == _GLIBCXX_USE_CXX11_ABI;
#else
    return false;
#endif
}

inline bool conduit_id_accepted(PyObject* id) noexcept {
    if (!PyBytes_Check(id))
        return false;
    const char* s = PyBytes_AS_STRING(id);
    if (std::strcmp(s, conduit_id_v3()) == 0)
        return true;
    const char* v2 = conduit_id_v2();
    return v2 && std::strcmp(s, v2) == 0 && pybind11_2x_string_abi_is_ours();
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_CONDUIT_IDS_H
