// include/bindbridge/pybind11/keep_alive.h: py::keep_alive<Nurse, Patient> whose nurse another framework owns.
//
// pybind11 ties a patient to a nurse it does not own by a weak reference
// to the nurse, which fails for types that take none (nanobind's, by
// default: "cannot create weak reference to 'X' object").  The nurse's own
// framework can tie it (the protocol's keep_alive), so for such a nurse the
// annotations below ask that framework first.  Every other case (a
// pybind11 nurse, None, a nurse without a published binding) is pybind11's
// own keep_alive_impl, unchanged.
//
// pybind11 offers no hook for this: keep_alive_impl is a plain function.
// These are explicit specialisations of pybind11's process_attribute for
// keep_alive<N, P> with N, P in 0..4 (N != P), declared before any use of
// them, hence the rule that bindbridge/pybind11.h comes right after
// pybind11.h (a translation unit that instantiates one of them first gets a
// compile error, "specialization after instantiation").  Translation units
// of one module that do not include bindbridge see pybind11's own, as for
// the import declarations: include bindbridge/pybind11.h in all of them.
#ifndef BINDBRIDGE_PYBIND11_KEEP_ALIVE_H
#define BINDBRIDGE_PYBIND11_KEEP_ALIVE_H

#include "../runtime/runtime.h"

namespace bindbridge {
namespace detail {
namespace pybind11_impl {

// Argument n of the call as pybind11's keep_alive_impl numbers them: 0 is
// the result, 1 the (new-style constructor's) self, then the arguments.
inline pybind11::handle keep_alive_arg(pybind11::detail::function_call& call, size_t n,
                                       pybind11::handle ret) {
    if (n == 0)
        return ret;
    if (n == 1 && call.init_self)
        return call.init_self;
    if (n <= call.args.size())
        return call.args[n - 1];
    return pybind11::handle();
}

inline void keep_alive_routed(size_t nurse_n, size_t patient_n,
                              pybind11::detail::function_call& call, pybind11::handle ret) {
    pybind11::handle nurse = keep_alive_arg(call, nurse_n, ret);
    pybind11::handle patient = keep_alive_arg(call, patient_n, ret);
    if (nurse && patient && !nurse.is_none() && !patient.is_none() &&
        pybind11::detail::all_type_info(Py_TYPE(nurse.ptr())).empty() &&
        keep_alive_by_nurse(nurse.ptr(), patient.ptr()) == 1)
        return;
    pybind11::detail::keep_alive_impl(nurse, patient);
}

template <size_t Nurse, size_t Patient>
struct keep_alive_attribute
    : pybind11::detail::process_attribute_default<pybind11::keep_alive<Nurse, Patient>> {
    // As pybind11: before the call when both are arguments, after it when
    // one of them is the result.
    static void precall(pybind11::detail::function_call& call) {
        if (Nurse != 0 && Patient != 0)
            keep_alive_routed(Nurse, Patient, call, pybind11::handle());
    }
    static void postcall(pybind11::detail::function_call& call, pybind11::handle ret) {
        if (Nurse == 0 || Patient == 0)
            keep_alive_routed(Nurse, Patient, call, ret);
    }
};

} // namespace pybind11_impl
} // namespace detail
} // namespace bindbridge

#define BINDBRIDGE_PB11_KEEP_ALIVE_(N, P)                                                     \
    template <>                                                                               \
    struct process_attribute<::pybind11::keep_alive<N, P>>                                    \
        : ::bindbridge::detail::pybind11_impl::keep_alive_attribute<N, P> {};

namespace pybind11 {
namespace detail {
BINDBRIDGE_KEEP_ALIVE_PAIRS_(BINDBRIDGE_PB11_KEEP_ALIVE_)
} // namespace detail
} // namespace pybind11

#undef BINDBRIDGE_PB11_KEEP_ALIVE_

#endif // BINDBRIDGE_PYBIND11_KEEP_ALIVE_H
