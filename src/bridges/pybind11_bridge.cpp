// src/bridges/pybind11_bridge.cpp: bindbridge._bridge_pybind11_v<N>, one pybind11 internals version's bridge.
//
// Built once per bridged internals version against a pinned pybind11
// release (cmake/bridges.cmake, BINDBRIDGE_BRIDGE_MODULE names the
// module).  Its init is written by hand (bridge_module.h): PYBIND11_MODULE
// would make pybind11 internals of this key at import.  attach() joins
// existing internals and publishes their types (pybind11/bridge.h);
// python/bindbridge/__init__.py's bridge() calls it.
#define PY_SSIZE_T_CLEAN
#include <pybind11/pybind11.h>

#include <string>

#include "bindbridge/pybind11/bridge.h"
#include "bridge_module.h"

namespace {

namespace py = pybind11;
namespace impl = bindbridge::detail::pybind11_impl;

const char* const built_with = BBR_BRIDGE_STR(PYBIND11_VERSION_MAJOR) "." BBR_BRIDGE_STR(
    PYBIND11_VERSION_MINOR) "." BBR_BRIDGE_STR(PYBIND11_VERSION_PATCH);

// Why this bridge must not read the internals it found, or nullptr.
// pybind11 2.x keys leave the libstdc++ string ABI out, so modules built
// with either share internals: their types (a std::string member, a
// std::list) may not have our layout.  As for their cpp conduit
// (conduit/ids.h), only the user's word lets us through.
const char* refusal() {
#if PYBIND11_VERSION_MAJOR < 3
    if (!bindbridge::detail::pybind11_2x_string_abi_is_ours())
        return "the key of pybind11 2.x internals does not name the libstdc++ string ABI, so the "
               "types of the modules sharing them may not have this bridge's layout (built with "
               "_GLIBCXX_USE_CXX11_ABI=" BBR_BRIDGE_STR(_GLIBCXX_USE_CXX11_ABI) "): once the "
               "pybind11 2.x modules of this process are known to use the same, call "
               "bindbridge.assume_pybind11_2x_string_abi(" BBR_BRIDGE_STR(_GLIBCXX_USE_CXX11_ABI) ")";
#endif
    return nullptr;
}

// attach() -> None when this interpreter has no pybind11 internals of this
// bridge's key, (framework name, types published) when it joined them,
// (None, why) when it would not.
PyObject* attach(PyObject*, PyObject*) {
    try {
        if (!impl::internals_exist()) {
            if (PyErr_Occurred())
                return nullptr;
            Py_RETURN_NONE;
        }
        if (const char* why = refusal())
            return Py_BuildValue("(Os)", Py_None, why);
        size_t count = impl::export_registered();
        bindbridge::detail::framework_record* rec = impl::domain_record();
        if (!rec)
            return nullptr;
        return Py_BuildValue("(sn)", rec->fw.name, static_cast<Py_ssize_t>(count));
    } catch (py::error_already_set& e) {
        e.restore();
    } catch (const std::exception& e) {
        PyErr_Format(PyExc_RuntimeError, "bindbridge bridge (pybind11 %s, %s): %s", built_with,
                     PYBIND11_INTERNALS_ID, e.what());
    }
    return nullptr;
}

} // namespace

extern "C" __attribute__((visibility("default"))) PyObject* BBR_BRIDGE_INIT(void) {
    return create_bridge_module(
        bridge_module_def(attach, "A bindbridge bridge: the types of pybind11 modules built without bindbridge."),
        "pybind11", built_with, PYBIND11_INTERNALS_ID, PYBIND11_INTERNALS_VERSION);
}
