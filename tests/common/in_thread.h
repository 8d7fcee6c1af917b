// tests/common/in_thread.h: run a conversion in a C++ thread that takes the GIL (outside any bound call).
//
// Release and Acquire are the framework's GIL guards (py::gil_scoped_release
// / acquire, nb::gil_scoped_release / acquire); an exception in f is
// handed to raise (which throws the framework's TypeError) in the caller's
// thread, with its message.
#pragma once

#include <exception>
#include <string>
#include <thread>

template <typename Release, typename Acquire, typename F, typename Raise>
auto run_in_thread(F&& f, Raise raise) -> decltype(f()) {
    decltype(f()) r{};
    std::string error;
    {
        Release unlocked;
        std::thread t([&] {
            Acquire locked;
            try {
                r = f();
            } catch (const std::exception& e) {
                error = e.what();
                if (error.empty())
                    error = "(an exception without a message)";
            }
        });
        t.join();
    }
    if (!error.empty())
        raise(error.c_str());
    return r;
}
