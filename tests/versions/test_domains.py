"""tests/versions/test_domains.py: two nanobind domains of one version are two frameworks that share types."""

from __future__ import annotations


from conftest import VERSION_MODULES as MODULE_DIR, check_script



def test_two_nanobind_domains_share_through_the_registry():
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bbv_nb310 as a, bbv_nb310_dom as b
import bindbridge
names = [f.name for f in bindbridge.frameworks()]
assert any("domain bbdom" in n for n in names) and len(names) == 2, names
# both bind VPet<7>, each in its own domain: each takes the other's through the registry
assert a.p7_describe(b.Pet("from b")) == "described from b"
assert b.p7_describe(a.Pet("from a")) == "described from a"
r = b.p7_clone(b.Pet("own"))
assert type(r) is b.Pet   # native first
print("ok")
""" % str(MODULE_DIR))
    assert out.strip() == "ok"


# The module that makes a domain's record provides its callbacks for every
# module of the domain.  When that module exports nothing, exceptions of the
# exporters that join later must still be translated for other frameworks
# (the state the translation uses is the record's, not one module's).
def test_record_made_by_an_import_only_module_still_translates_exceptions():
    out = check_script("""
import sys
sys.path.insert(0, %r)
import bbv_pb310 as pb, bbv_nb310_importer as imp
assert imp.p4_describe(pb.Pet("a")) == "described a"   # the importer's record is made here
import bbv_nb310 as nb                                  # exports through that record
import bindbridge
assert len([f for f in bindbridge.frameworks() if f.name.startswith("nanobind")]) == 1
try:
    pb.p7_raise("boom")        # a pybind11 function throws nanobind's VError<7>
except nb.Error as e:
    print("translated", e)
except Exception as e:
    print("untranslated", type(e).__name__, e)
""" % str(MODULE_DIR))
    assert out.strip() == "translated boom", out
