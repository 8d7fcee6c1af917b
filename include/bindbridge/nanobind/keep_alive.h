// include/bindbridge/nanobind/keep_alive.h: nb::keep_alive<Nurse, Patient> whose nurse another framework owns.
//
// nanobind ties a patient to a nurse of its own domain in its instance
// data and otherwise by a weak reference to the nurse, which fails for
// types that take none (another nanobind domain's, by default).  The
// nurse's own framework can tie it (the protocol's keep_alive), so for a
// nurse outside this domain whose type publishes a binding, that framework
// is asked first; everything else is nanobind's own keep_alive, unchanged.
//
// nanobind applies the annotation with an unqualified call,
// process_postcall(args, nargs, result, (keep_alive<N, P>*) nullptr), so the
// more specialised overloads below (N, P in 0..4, N != P), found by
// argument-dependent lookup, take its place in every translation unit that
// includes bindbridge/nanobind.h before binding its functions.
#ifndef BINDBRIDGE_NANOBIND_KEEP_ALIVE_H
#define BINDBRIDGE_NANOBIND_KEEP_ALIVE_H

#include <type_traits>

#include "../runtime/runtime.h"
#include "compat.h"

namespace bindbridge {
namespace detail {
namespace nanobind_impl {

// May throw nanobind::python_error, as nanobind's own keep_alive.
inline void keep_alive_routed(PyObject* nurse, PyObject* patient) {
    if (nurse && patient && nurse != Py_None && patient != Py_None &&
        !compat::type_check(reinterpret_cast<PyObject*>(Py_TYPE(nurse))) &&
        keep_alive_by_nurse(nurse, patient) == 1)
        return;
    compat::keep_alive_obj(nurse, patient);
}

} // namespace nanobind_impl
} // namespace detail
} // namespace bindbridge

#define BINDBRIDGE_NB_KEEP_ALIVE_(N, P)                                                       \
    template <size_t NArgs>                                                                   \
    NB_INLINE void process_postcall(PyObject** args, std::integral_constant<size_t, NArgs>,  \
                                    PyObject* result, ::nanobind::keep_alive<N, P>*) {        \
        static_assert(N <= NArgs && P <= NArgs,                                               \
                      "keep_alive template parameters must be in the range "                  \
                      "[0, number of C++ function arguments]");                               \
        ::bindbridge::detail::nanobind_impl::keep_alive_routed(N == 0 ? result : args[N - 1], \
                                                               P == 0 ? result : args[P - 1]); \
    }

namespace nanobind {
BINDBRIDGE_KEEP_ALIVE_PAIRS_(BINDBRIDGE_NB_KEEP_ALIVE_)
} // namespace nanobind

#undef BINDBRIDGE_NB_KEEP_ALIVE_

#endif // BINDBRIDGE_NANOBIND_KEEP_ALIVE_H
