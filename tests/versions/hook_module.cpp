// tests/versions/hook_module.cpp: the module-local hook's test module, one per pybind11 version.
//
// No BINDBRIDGE_PYBIND11_IMPORT anywhere: VPet<7> (owned by the nanobind
// 3.1 version module) is not bound here at all, VPet<6> (owned by the
// nanobind 2.15 one) is bound natively as LocalPet6
// (not in the plain variant).  Foreign objects can
// only arrive through the module-local hook (or pybind11's conduit for
// VPet<6>).  With BBH_PLAIN the module has no bindbridge code at all: it
// shows the hook's process-wide effect on unmodified modules.
#include <memory>
#include <string>
#include <vector>

#include <pybind11/pybind11.h>
#if !defined(BBH_PLAIN)
#  include <bindbridge/pybind11.h>
#endif

#include "vtypes.h"

namespace py = pybind11;
using T = VPet<7>;
using R = VPet<6>;

static std::vector<std::shared_ptr<T>>& kept() {
    static auto* k = new std::vector<std::shared_ptr<T>>();
    return *k;
}

PYBIND11_MODULE(BBV_MODULE, m) {
#if !defined(BBH_PLAIN) // one module per internals may bind R
    py::class_<R, std::shared_ptr<R>>(m, "LocalPet6").def(py::init<std::string>()).def_readwrite("name", &R::name);
    m.def("reg_name", [](const R& r) { return r.name; });
    m.def("reg_shared", [](std::shared_ptr<R> p) { return p ? "holds " + p->name : std::string("empty"); });
#endif

    m.def("name", [](const T& t) { return t.name; });
    m.def("rename", [](T& t, const std::string& n) { t.name = n; });
    m.def("by_value", [](T t) { return "by value " + t.name; });
    m.def("ptr", [](const T* t) { return t ? t->name : std::string("null"); });
    m.def("shared_state", [](std::shared_ptr<T> p) { return p ? "holds " + p->name : std::string("empty"); });
    m.def("keep_shared", [](std::shared_ptr<T> p) {
        if (!p)
            throw std::runtime_error("empty shared_ptr");
        kept().push_back(std::move(p));
    });
    m.def("kept_names", [] {
        py::list out;
        for (auto& p : kept())
            out.append(p->name);
        return out;
    });
    m.def("release_kept", [] { kept().clear(); });
#if PYBIND11_VERSION_MAJOR >= 3 // 2.x cannot take unique_ptr<T> arguments at all
    m.def("uniq", [](std::unique_ptr<T> p) { return "unique " + p->name; });
    // unique_ptr first: the hazard; const T& first: the safe order.
    m.def("h", [](std::unique_ptr<T>) { return std::string("unique"); });
    m.def("h", [](const T& t) { return "ref " + t.name; });
    m.def("k", [](const T& t) { return "ref " + t.name; });
    m.def("k", [](std::unique_ptr<T>) { return std::string("unique"); });
#else
    m.def("k", [](const T& t) { return "ref " + t.name; });
#endif
    m.attr("VERSION") = std::to_string(PYBIND11_VERSION_MAJOR) + "." + std::to_string(PYBIND11_VERSION_MINOR) +
                        "." + std::to_string(PYBIND11_VERSION_PATCH);
    m.attr("ATTRIBUTE") = PYBIND11_MODULE_LOCAL_ID;

#if !defined(BBH_PLAIN)
    m.def("enable", [m]() { return bindbridge::enable_module_local_hook(m); });
    m.def("force_enable", [m]() {
        return bindbridge::enable_module_local_hook(m, bindbridge::hook_gate::ignore_for_tests);
    });
    m.def("stats", [] {
        namespace bb = bindbridge::detail::pybind11_impl;
        py::dict d;
        bb::hook_state* hs = bb::hook_of(bb::record_for_import());
        d["enabled"] = hs != nullptr;
        d["loads"] = hs ? hs->loads : 0;
        d["refusals"] = hs ? hs->refusals : 0;
        d["installed"] = hs ? hs->installed : 0;
        py::list skipped;
        if (hs)
            for (auto& s : hs->skipped)
                skipped.append(s);
        d["skipped"] = skipped;
        return d;
    });
#endif
}
