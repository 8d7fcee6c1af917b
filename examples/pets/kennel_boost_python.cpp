// examples/pets/kennel_boost_python.cpp: `kennel`, a Boost.Python module that binds Collar and boards any framework's Pet.
#include <boost/python.hpp>

#include <bindbridge/boost_python.h>

#include "pet.h"

// Pet may come from any framework (pybind11's pets11, nanobind's pets).
BINDBRIDGE_BOOST_PYTHON_IMPORT(Pet)

namespace bp = boost::python;

BOOST_PYTHON_MODULE(kennel) {
    bp::class_<Collar>("Collar", bp::init<std::string>())
        .def_readwrite("tag", &Collar::tag)
        .def("__repr__", +[](const Collar& c) { return "kennel.Collar('" + c.tag + "')"; });
    bindbridge::export_type<Collar>(); // publish Collar on the registry

    bp::def("board", +[](const Pet& p) { return "boarded " + p.name; });
    bp::def("twin", +[](const Pet& p) { return Pet(p.name + " II", p.sound); });
    bp::def("collar_for", +[](const Pet& p) { return Collar(p.name); });
}
