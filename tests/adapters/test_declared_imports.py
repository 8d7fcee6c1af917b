"""tests/adapters/test_declared_imports.py: a module's IMPORT declarations, seen before any conversion.

bb_imports_pybind11 and bb_imports_nanobind only import types: no export,
no conversion in their initialisation, so their framework would join the
registry at the first conversion only.  Their declarations leave a pending
join when the module is loaded, which bindbridge's listings run:
`frameworks()` and `python -m bindbridge --import` of a fresh process show
them.

check_imports(m) is the run-time check for a forgotten declaration: each
module binds, in a second file without the declarations (imports_more.cpp),
functions taking a type it imports elsewhere with IMPORT_AS, and a type it
imports nowhere; the check must name exactly those functions, once, and
the real calls must fail where it warns and work where it does not.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import MODULES, check_script, run_script

CASES = {
    # module: (its owner, the foreign objects by C++ type, expected warnings
    #          as (function, C++ type, declared in another file))
    "bb_imports_pybind11": (
        "bb_nanobind",
        {"Pet": "o.Pet('Rex', 'woof')", "Stray": "o.Stray()"},
        {("pet_name_here", "Pet", True), ("Kennel.admit", "Pet", True),
         ("stray_value", "Stray", False), ("make_stray", "Stray", False)},
    ),
    "bb_imports_nanobind": (
        "bb_pybind11",
        {"Toy": "o.Toy('ball')", "Wrapper": "o.Wrapper(o_pet)"},
        {("toy_name_here", "Toy", True), ("Box.put", "Toy", True),
         ("wrapper_name", "Wrapper", False), ("make_wrapper", "Wrapper", False)},
    ),
}

FRAMEWORK = {"bb_imports_pybind11": "pybind11 ", "bb_imports_nanobind": "nanobind "}


@pytest.mark.parametrize("module", sorted(CASES))
def test_import_only_module_is_listed_in_a_fresh_process(module):
    out = check_script("""
        import %s
        import bindbridge
        print([f.name for f in bindbridge.frameworks()])
    """ % module)
    names = eval(out)
    assert [n for n in names if n.startswith(FRAMEWORK[module])], names


@pytest.mark.parametrize("module", sorted(CASES))
def test_command_line_lists_an_import_only_module(module):
    env = dict(os.environ, PYTHONPATH=str(MODULES))  # (ASan runs preload through it)
    out = subprocess.run([sys.executable, "-m", "bindbridge", "--import", module],
                         capture_output=True, text=True, env=env, check=True).stdout
    assert FRAMEWORK[module] in out, out


@pytest.mark.parametrize("module", sorted(CASES))
def test_check_imports_names_each_forgotten_declaration(module):
    owner, objects, expected = CASES[module]
    out = check_script("""
        import warnings
        import %(owner)s as o
        import bb_nanobind
        o_pet = bb_nanobind.Pet('Rex', 'woof')
        import %(module)s as m
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first = m.check(m)
            again = m.check(m)
        print(repr((first, again, [str(w.message) for w in caught
                                   if w.category is RuntimeWarning])))
    """ % dict(owner=owner, module=module))
    first, again, messages = eval(out)
    assert first == len(messages) and again == 0, (first, again, messages)
    found = set()
    for text in messages:
        where = text.split("() takes or returns C++ ")[0][len("bindbridge: %s." % module):]
        cpp = text.split("() takes or returns C++ ")[1].split(" ")[0]
        found.add((where, cpp, "in another file, not in the one that binds it" in text))
        assert "exported by " in text and "as %s." % owner in text, text
    assert found == expected, (found, expected, messages)


@pytest.mark.parametrize("module", sorted(CASES))
def test_the_real_calls_agree_with_the_check(module):
    # The functions the check names fail with a foreign object, those it
    # does not name work (the plain IMPORT of bbt_point included).
    # (Not called: the functions of imports_more.cpp that the module
    # declares elsewhere, whose two files break the one-definition rule.)
    owner, objects, _ = CASES[module]
    imported = "Pet" if module == "bb_imports_pybind11" else "Toy"
    undeclared = "Stray" if module == "bb_imports_pybind11" else "Wrapper"
    fn_ok = "pet_name" if imported == "Pet" else "toy_name"
    fn_bad = "stray_value" if undeclared == "Stray" else "wrapper_name"
    out = check_script("""
        import %(owner)s as o
        import bb_nanobind, bbtest_cpp
        o_pet = bb_nanobind.Pet('Rex', 'woof')
        import %(module)s as m
        P = bbtest_cpp.make_type("P")
        result = [m.%(fn_ok)s(%(ok_obj)s), m.point_sum(P(x=1, y=2))]
        try:
            m.%(fn_bad)s(%(bad_obj)s)
            result.append("accepted")
        except TypeError:
            result.append("TypeError")
        print(repr(result))
    """ % dict(owner=owner, module=module, fn_ok=fn_ok, fn_bad=fn_bad,
               ok_obj=objects[imported], bad_obj=objects[undeclared]))
    assert eval(out)[1:] == [3.0, "TypeError"], out


@pytest.mark.parametrize("module", sorted(CASES))
def test_check_imports_raises_where_warnings_are_errors(module):
    owner = CASES[module][0]
    result = run_script("""
        import warnings
        import %s, bb_nanobind
        import %s as m
        warnings.simplefilter("error")
        try:
            m.check(m)
        except RuntimeWarning as e:
            print("raised:", str(e)[:40])
    """ % (owner, module))
    assert result.returncode == 0 and "raised: bindbridge: %s." % module in result.stdout, \
        result.describe()
