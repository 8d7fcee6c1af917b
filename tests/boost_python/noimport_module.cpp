// tests/boost_python/noimport_module.cpp: bb_boost_python_noimport, a Boost.Python module with no bindbridge code at all.
//
// It takes Pet and returns Kite without declaring either: Boost.Python's
// converter registry is one per libboost_python, so the converters
// bb_boost_python registers (its imports, its class_) serve this module
// too once that module is loaded (test_registry_is_process_wide).
#include <boost/python.hpp>

#include "../common/types.h"

BOOST_PYTHON_MODULE(bb_boost_python_noimport) {
    boost::python::def("pet_name", +[](const Pet& p) { return p.name; });
    boost::python::def("kite_make", +[](const std::string& n) { return Kite(n); });
}
