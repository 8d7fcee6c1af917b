// examples/migration/zoo.h: the C++ library the zoo module binds, unchanged by the migration.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

struct Animal {
    std::string name;
    int legs;
    Animal(std::string n, int l) : name(std::move(n)), legs(l) {}
    virtual ~Animal() = default;
    virtual std::string sound() const { return "..."; }
};

struct Keeper {
    std::string name;
    std::vector<std::shared_ptr<Animal>> animals;
    explicit Keeper(std::string n) : name(std::move(n)) {}
    void adopt(std::shared_ptr<Animal> a) { animals.push_back(std::move(a)); }
    int legs() const {
        int n = 0;
        for (const auto& a : animals)
            n += a->legs;
        return n;
    }
    std::string chorus() const {
        std::string s;
        for (const auto& a : animals)
            s += (s.empty() ? "" : " ") + a->sound();
        return s;
    }
};
