// include/bindbridge/runtime/bases.h: C++ bases bound by another framework (export_type<Derived, Base...>).
//
// nanobind aborts on nb::class_<Triangle, Shape> when Shape is bound by
// pybind11, and pybind11 refuses a base it does not know: a class whose C++
// base another framework binds is bound without it.  export_type<Triangle,
// Shape>(m) then records, in the process's shared_block (plain C, never the
// protocol's structures), how a binding of Triangle upcasts to Shape; every
// bindbridge importer of Shape uses it for an object whose own binding it
// is (load_by_upcast in runtime.h).  Python-level inheritance does not
// change: isinstance(triangle, Shape) stays False.
#ifndef BINDBRIDGE_RUNTIME_BASES_H
#define BINDBRIDGE_RUNTIME_BASES_H

#include <type_traits>
#include <typeinfo>

#include "runtime.h"

namespace bindbridge {
namespace detail {

template <typename Derived, typename Base>
void* upcast_to(void* p) noexcept {
    return static_cast<Base*>(static_cast<Derived*>(p));
}

template <typename Derived, typename Base>
int publish_base(framework_record* rec, const bbr_binding* derived,
                 bool (*bound_natively)(const std::type_info&)) {
    static_assert(std::is_base_of<Base, Derived>::value,
                  "bindbridge::export_type<Derived, Base...>: each Base must be a base class of Derived");
    const std::type_info& base = typeid(Base);
    if (!bound_natively(base) && !rec->foreign_by_type.contains(type_key(base))) {
        PyErr_Format(PyExc_TypeError,
                     "bindbridge::export_type<%s, %s>: no framework on the registry binds the base "
                     "%s (import the module that binds and exports it first)",
                     source_name_of(typeid(Derived)).c_str(), source_name_of(base).c_str(),
                     source_name_of(base).c_str());
        return -1;
    }
    if (!add_upcast(derived, type_key(base), &upcast_to<Derived, Base>)) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

// After `derived` (the binding of Derived's Python type) was published:
// its upcasts to each of Bases.  0, or -1 with a Python error set.
template <typename Derived, typename... Bases>
int publish_bases(framework_record* rec, const bbr_binding* derived,
                  bool (*bound_natively)(const std::type_info&)) {
    (void) rec, (void) derived, (void) bound_natively; // (an empty Bases uses none)
    int results[] = {0, publish_base<Derived, Bases>(rec, derived, bound_natively)...};
    for (int r : results)
        if (r != 0)
            return -1;
    return 0;
}

} // namespace detail
} // namespace bindbridge

#endif // BINDBRIDGE_RUNTIME_BASES_H
