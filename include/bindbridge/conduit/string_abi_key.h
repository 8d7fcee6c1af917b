// include/bindbridge/conduit/string_abi_key.h: where the assumed string ABI of pybind11 2.x modules is kept.
//
// Python.h-free and dependency-free: bindbridge._diag (src/diag.cpp, built
// for the stable ABI) writes the key, conduit/serve.h reads it.
#ifndef BINDBRIDGE_CONDUIT_STRING_ABI_KEY_H
#define BINDBRIDGE_CONDUIT_STRING_ABI_KEY_H

// Where bindbridge.assume_pybind11_2x_string_abi(n) keeps n (an int) in
// the registry's dict: the libstdc++ string ABI unmodified pybind11 2.x
// modules use, whose conduit id does not say it.
#define BINDBRIDGE_PYBIND11_2X_STRING_ABI_KEY "__bindbridge_pybind11_2x_string_abi"

#endif // BINDBRIDGE_CONDUIT_STRING_ABI_KEY_H
