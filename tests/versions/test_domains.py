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
