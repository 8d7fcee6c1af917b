"""tests/reliability/test_threads.py: 8 threads x 100k cross-framework calls on a GIL build: no crash, right results."""

from __future__ import annotations

from conftest import check_script


def test_eight_threads_of_cross_framework_calls():
    out = check_script("""
import threading
import bb_nanobind as nbm, bb_pybind11 as pbm
N = 100_000
errors = []
def worker(k):
    try:
        pet = nbm.Pet("pet%d" % k)
        toy = pbm.Toy("toy%d" % k)
        want_p, want_t = "described pet%d" % k, "described toy%d" % k
        for i in range(N):
            if i % 2:
                r = pbm.pet_describe(pet)        # nanobind object into pybind11
                if r != want_p:
                    raise AssertionError(r)
            else:
                r = nbm.toy_describe(toy)        # pybind11 object into nanobind
                if r != want_t:
                    raise AssertionError(r)
            if i % 10_000 == 0:
                c = pbm.pet_clone(pet)           # returns cross the boundary too
                if type(c) is not nbm.Pet or c.name != "pet%d (clone)" % k:
                    raise AssertionError(c)
    except BaseException as e:
        errors.append(repr(e))
threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print("errors:", errors)
""", timeout=300)
    assert out.strip() == "errors: []"
