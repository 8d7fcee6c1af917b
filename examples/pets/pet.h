// examples/pets/pet.h: the C++ type the demo shares between frameworks.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

struct Pet {
    std::string name, sound;
    Pet(std::string n, std::string s) : name(std::move(n)), sound(std::move(s)) {}
    std::string speak() const { return name + " says " + sound; }
};

// Raised by the groomer, translated by whoever binds it.
struct GroomingError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Bound by the Boost.Python module `kennel` (kennel_boost_python.cpp),
// used by the pybind11 and nanobind modules `walker` and `walker_nb`.
struct Collar {
    std::string tag;
    explicit Collar(std::string t) : tag(std::move(t)) {}
};

// Bound by `feeder` (feeder_pybind11.cpp), built with plain pybind11 and no
// bindbridge code at all; the nanobind module `groomer_nb` takes its Bowls
// through the conduit pybind11 puts on every class (docs/zero-code.md).
struct Bowl {
    std::string food;
    int grams = 0;
};
