// tests/protocol/test_framework_cpp.cpp: the protocol test framework compiled as C++.
//
// Same source as the C framework; as C++ it publishes native_type =
// &typeid(bbt_point) and the platform ABI tag, which makes it the C-API
// peer that the C++ adapters (pybind11, nanobind) are tested against.
#include "test_framework.c"
