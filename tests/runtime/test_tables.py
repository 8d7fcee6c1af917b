"""tests/runtime/test_tables.py: the runtime's binding tables and its plain-name demangler."""

from __future__ import annotations

import pytest

runtime_tables = pytest.importorskip("runtime_tables")


@pytest.mark.parametrize("keys", [1, 3, 7, 40, 300])
def test_binding_tables_agree_with_a_model(keys):
    # Random inserts, appends and erases, checked after every step: few keys
    # make long probe runs and many removals inside them, many keys make the
    # tables grow several times.
    checks = 0
    for seed in range(4):
        checks += runtime_tables.tables(seed, 600 if keys < 300 else 2000, keys)
    assert checks > 0


def test_plain_demangling_matches_the_cxx_runtime():
    import ctypes
    import ctypes.util

    lib = ctypes.CDLL(ctypes.util.find_library("stdc++") or "libstdc++.so.6")
    cxa = lib.__cxa_demangle
    cxa.restype = ctypes.c_void_p
    cxa.argtypes = [ctypes.c_char_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    libc = ctypes.CDLL(None)

    def reference(mangled: str) -> str:
        status = ctypes.c_int(0)
        p = cxa(mangled.encode(), None, None, ctypes.byref(status))
        if not p:
            return mangled
        try:
            return ctypes.string_at(p).decode()
        finally:
            libc.free(ctypes.c_void_p(p))

    names = runtime_tables.typeid_names() + [
        "3Pet", "N6shapes6CircleE", "N1a1b1c1d1e1f1g1h1i1jE", "N3foo3BarE",
        "10Has_Under9", "N12_GLOBAL__N_13PetE", "Z4mainE5Local", "St6vector", "NSt7__cxx1112basic_stringIcEE",
        "N3foo3BarIiEE", "i", "", "3Pe", "N3FooE", "N3Foo", "0x", "N3Foo3BarEx", "4Pet\u00e9",
    ]
    plain = 0
    for m in names:
        fast = runtime_tables.demangle_plain(m)
        if fast is not None:
            plain += 1
            assert fast == reference(m), m
        assert runtime_tables.demangle(m) == reference(m), m
    # The names of plain classes take the fast path; the rest are declined.
    assert runtime_tables.demangle_plain("N6shapes6CircleE") == "shapes::Circle"
    assert runtime_tables.demangle_plain("N3foo3BarIiEE") is None
    assert runtime_tables.demangle_plain("N12_GLOBAL__N_13PetE") is None
    assert plain >= 6
