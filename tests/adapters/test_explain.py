"""tests/adapters/test_explain.py: bindbridge.explain() and python -m bindbridge --why name each refusal reason."""

from __future__ import annotations

import bindbridge
import bb_nanobind as nbm
import bb_pybind11 as pbm

from conftest import VERSION_MODULES, check_script, run_script


def test_accepted_by_owner():
    text = bindbridge.explain(nbm.Pet, nbm.Pet("a"))
    assert "converting a bb_nanobind.Pet to C++ Pet" in text
    assert "published by nanobind" in text
    assert "nanobind 3.1.0 via bindbridge 0.1.0 (Python type bb_nanobind.Pet): accepts it" in text


def test_no_binding_for_this_python_type():
    text = bindbridge.explain("Pet", pbm.Toy("t"))
    assert "refused: no binding for bb_pybind11.Toy here (this binding is for bb_nanobind.Pet)" in text


def test_nothing_binds_the_cpp_type():
    text = bindbridge.explain("NoSuchType", nbm.Pet("a"))
    assert "no framework on the registry binds C++ NoSuchType" in text


def test_type_not_published():
    assert "int is not published" in bindbridge.explain(int, 3)
    assert "the object's type is not published" in bindbridge.explain(nbm.Pet, 3)


def test_owner_from_python_refuses():
    out = check_script("""
import bindbridge, bbtest_cpp
P = bbtest_cpp.make_type("bbt_point")
p = P(1, 2)
print(bindbridge.explain(P, p))
bbtest_cpp.set_fail_mode(1)
print(bindbridge.explain(P, p))
bbtest_cpp.set_fail_mode(0)
""")
    first, second = out.split("bindbridge: converting")[1:]
    assert "accepts it" in first
    assert "refused by the owner's from_python" in second


def test_abi_tag_differs():
    mods = str(VERSION_MODULES)
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bindbridge, bbv_pb310, bbv_pb310_abi0
print(bindbridge.explain(bbv_pb310.Pet, bbv_pb310_abi0.Pet("x")))
""" % mods)
    assert "not used: its C++ ABI tag 'system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_0' differs" in out, out


def test_cli_why():
    result = run_script("""
import sys
from bindbridge.__main__ import main
sys.exit(main(["--import", "bb_nanobind", "--import", "bb_pybind11",
               "--why", "bb_pybind11.pet_describe", "bb_nanobind.Pet"]))
""")
    assert result.returncode == 0, result.describe()
    assert "pet_describe(arg0: bb_nanobind.Pet) -> str" in result.stdout
    assert "bb_nanobind.Pet is published by nanobind" in result.stdout
    assert "pybind11 3.1.0 (internals v12) via bindbridge 0.1.0: can take it" in result.stdout
    bad = run_script("""
import sys
from bindbridge.__main__ import main
sys.exit(main(["--why", "bb_pybind11.no_such_function", "bb_nanobind.Pet"]))
""")
    assert bad.returncode == 2 and "no_such_function" in bad.stderr
    other = run_script("""
import sys
from bindbridge.__main__ import main
sys.exit(main(["--import", "bb_nanobind", "--import", "bb_pybind11",
               "--why", "bb_pybind11.toy_describe", "bb_nanobind.Pet"]))
""")
    assert other.returncode == 0, other.describe()
    assert "bb_pybind11.toy_describe takes C++ Toy, not Pet" in other.stdout


def test_explain_a_function():
    # The types come from the signature: pybind11's docstring (C++ name or
    # IMPORT_AS name) and nanobind's __nb_signature__.
    assert bindbridge.wanted_types(pbm.pet_describe) == ["Pet"]
    assert bindbridge.wanted_types(nbm.toy_rename) == ["Toy"]
    text = bindbridge.explain(pbm.pet_describe, pbm.Toy("t"))
    assert text.startswith("bindbridge: bb_pybind11.pet_describe(...) called with a bb_pybind11.Toy\n"
                           "bindbridge: converting a bb_pybind11.Toy to C++ Pet")
    assert "refused: no binding for bb_pybind11.Toy here (this binding is for bb_nanobind.Pet)" in text
    assert "accepts it" in bindbridge.explain(nbm.toy_rename, pbm.Toy("t"))
    assert "its signature names no type published" in bindbridge.explain(pbm.framework, 3)


# --- the failing call's own TypeError (explain_failures in both test modules) ---

import sys

import pytest



def failure_text(func, *args, **kwargs) -> str:
    with pytest.raises(TypeError) as info:
        func(*args, **kwargs)
    e = info.value
    first = str(e).splitlines()[0]
    assert "incompatible function arguments" in first
    # readable without the notes: the first line says where the reason is
    assert first.endswith(" [bindbridge: why, below]"), str(e)
    if sys.version_info >= (3, 11):
        return "\n".join(getattr(e, "__notes__", []))
    return str(e)


def test_every_function_and_method_is_wrapped():
    assert pbm.explained_functions > 40 and nbm.explained_functions > 40


def test_call_no_binding_for_this_python_type():
    text = failure_text(pbm.pet_describe, pbm.Toy("t"))
    assert text.startswith("bindbridge: why the arguments owned by other frameworks were refused:")
    assert "  C++ Pet from a bb_pybind11.Toy:" in text
    assert ("    - nanobind 3.1.0 via bindbridge 0.1.0 (bb_nanobind.Pet): no binding for "
            "bb_pybind11.Toy there (its binding is for bb_nanobind.Pet)") in text


def test_call_nothing_else_binds_the_type():
    text = failure_text(nbm.pet_describe, pbm.Toy("t"))
    assert "  C++ Pet from a bb_pybind11.Toy:\n    - no other framework on the registry binds C++ Pet" in text


def test_call_no_import_declared():
    text = failure_text(pbm.stray_value, nbm.Stray())
    assert ("argument 1, a bb_nanobind.Stray (C++ Stray, bound by nanobind 3.1.0 via bindbridge 0.1.0): "
            "no bindbridge import of its C++ type was tried; declare BINDBRIDGE_PYBIND11_IMPORT(Stray) "
            "where the function is bound") in text


def test_call_recursion_stopped():
    # nanobind asks pybind11 (serving) for a Wrapper; pybind11's implicit
    # conversion Pet -> Wrapper would need nanobind's Pet again: stopped.
    assert pbm.wrapper_name(nbm.Pet("rex")) == "wrapped rex"     # pybind11 itself converts
    text = failure_text(nbm.wrapper_name, nbm.Pet("rex"))
    assert "  C++ Pet from a bb_nanobind.Pet:\n    - recursion stopped:" in text
    assert "  C++ Wrapper from a bb_nanobind.Pet:" in text


def test_call_owner_from_python_refused():
    out = check_script("""
import sys, bbtest_cpp, bb_pybind11 as pbm
P = bbtest_cpp.make_type("bbt_point")
p = P(1, 2)
print(pbm.point_sum(p))
bbtest_cpp.set_fail_mode(1)
try:
    pbm.point_sum(p)
except TypeError as e:
    print(e.__notes__[0])
bbtest_cpp.set_fail_mode(0)
""")
    assert out.startswith("3.0\n")
    assert ("  C++ bbt_point from a bbtest_cpp.bbt_point:\n    - bbtest_cpp (C++ test framework) "
            "(bbtest_cpp.bbt_point): the owner's from_python refused it") in out


def test_call_not_a_cpp_framework():
    out = check_script("""
import bbtest_c, bb_pybind11 as pbm
C = bbtest_c.make_type("bbt_point")
try:
    pbm.point_sum(C(1, 2))
except TypeError as e:
    print(e.__notes__[0])
""")
    assert "bbtest_c (C test framework) (bbtest_c.bbt_point): not used: it is not a C++ framework" in out


def test_call_abi_tag_differs():
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bb_pybind11 as pbm, bbv_pb310_abi0
try:
    pbm.vpet4_name(bbv_pb310_abi0.Pet("x"))
except TypeError as e:
    print(e.__notes__[0])
""" % str(VERSION_MODULES))
    assert ("  C++ VPet<4> from a bbv_pb310_abi0.Pet:\n    - pybind11 3.1.0 (internals v12) via bindbridge "
            "0.1.0 (bbv_pb310_abi0.Pet): not used: its ABI tag system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_0 "
            "differs from ours, system_libstdcpp_gxx_abi_1xxx_use_cxx11_abi_1") in out


def test_call_nothing_else_binds_the_type_without_upcasts():
    # With no class published with its bases in the process, a load of a type
    # only its own framework binds returns at once (runtime.h load_foreign_slow)
    # but still notes the refusal: the note names the type wanted, not "no
    # import was tried".
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bbv_nb310, bbv_pb310
f, pet = getattr(bbv_nb310, "p%%d_f" %% bbv_nb310.ID), bbv_pb310.Pet("x")
for attempt in range(2):  # the second finds the import's cache filled: the short way
    try:
        f(pet)
    except TypeError as e:
        note = e.__notes__[0]
print(note)
""" % str(VERSION_MODULES))
    assert ("  C++ VPet<7> from a bbv_pb310.Pet:\n    - no other framework on the registry binds C++ VPet<7>"
            in out), out


def test_call_with_several_arguments():
    text = failure_text(nbm.toy_rename, nbm.Pet("p"), "new")
    assert "  C++ Toy from a bb_nanobind.Pet:" in text


def test_unrelated_failures_get_no_note():
    with pytest.raises(TypeError) as info:
        pbm.pet_describe(3)
    notes = getattr(info.value, "__notes__", [])
    assert all("owned by other frameworks" not in n or "from a int" in n for n in notes)
    with pytest.raises(RuntimeError) as info:
        pbm.raise_runtime_error("boom")
    assert not getattr(info.value, "__notes__", None)
    with pytest.raises(TypeError) as info:
        pbm.stray_value()                                 # no foreign argument at all
    assert not getattr(info.value, "__notes__", None)


def test_success_paths_unchanged():
    p = nbm.Pet("rex")
    assert pbm.pet_describe(p) == nbm.pet_describe(p)
    assert pbm.toy_describe(pbm.Toy("t")) == nbm.toy_describe(pbm.Toy("t"))
    assert nbm.Pet(name="kw").name == "kw"


# A std::unique_ptr<T> parameter given another framework's object: the note
# says which objects the owner gives up, not "declare the import", which
# exists.
@pytest.mark.parametrize("user,owner,cpp", [(pbm, nbm, "Pet"), (nbm, pbm, "Toy")])
def test_unique_ptr_parameter_explains_ownership(user, owner, cpp):
    prefix = cpp.lower()
    obj = getattr(owner, cpp)(*(("rex", "woof") if cpp == "Pet" else ("t",)))
    text = failure_text(getattr(user, prefix + "_take_unique"), obj)
    assert "std::unique_ptr<%s> from a %s.%s: the parameter takes ownership from Python" % (
        cpp, owner.__name__, cpp) in text, text
    if owner is pbm:  # a classic (std::shared_ptr) holder: pybind11 gives up none
        assert "gives up only py::smart_holder (py::classh) objects that nothing else owns" in text, text
    else:             # constructed from Python: nanobind keeps it
        assert "gives up only objects made in C++ (a take_ownership or std::unique_ptr return)" in text, text
    assert "declare" not in text, text
    # the overload set still tries the const T& overload
    assert getattr(user, prefix + "_overload")(obj) == "const ref"


def test_failed_return_explained_in_the_message_and_note():
    # pybind11 raises its generic "Unable to convert function return value"
    # with bindbridge's reason only as the __cause__: explain_failures
    # marks the first line and puts the reason below it (#19 item 4).
    out = check_script("""
import sys
sys.modules["bb_nanobind"] = None          # the pinned owner cannot be imported
import bb_pybind11
try:
    bb_pybind11.pet_make_owned("rex")
except TypeError as e:
    print(str(e).splitlines()[0])
    print("\\n".join(getattr(e, "__notes__", [])) if sys.version_info >= (3, 11) else str(e))
""")
    first, rest = out.split("\n", 1)
    assert first.startswith("Unable to convert function return value"), out
    assert first.endswith(" [bindbridge: why, below]"), out
    assert ("bindbridge: why the return value was refused: cannot convert C++ Pet to Python: "
            "neither pybind11 nor any framework on the registry binds it") in rest, out
    assert "IMPORT_AS names bb_nanobind.Pet (importing bb_nanobind failed" in rest, out
