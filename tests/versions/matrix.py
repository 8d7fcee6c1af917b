"""tests/versions/matrix.py: the framework versions CI builds, one test module each.

DEFAULT modules are built and loaded together by test_versions.py (every
ordered pair); COMPILE_ONLY ones are built to prove the adapters compile
against them.  Each module owns VPet<id> and imports VPet<1..7>.
"""

from __future__ import annotations

from typing import List, NamedTuple, Tuple


class Build(NamedTuple):
    name: str            # the Python module name
    framework: str       # "pybind11" or "nanobind"
    version: str
    id: int              # owns VPet<id>
    defines: Tuple[str, ...] = ()
    note: str = ""
    cxx: str = ""                 # the C++ compiler ("" for CMake's default, g++)
    flags: Tuple[str, ...] = ()   # extra compile and link flags (-stdlib=libc++)
    opt: str = ""                 # the optimisation level, when not Release's -O3

    @property
    def label(self) -> str:
        extra = " (%s)" % self.note if self.note else ""
        return "%s %s%s" % (self.framework, self.version, extra)


# ids 1..7 are the default matrix; every module imports exactly these.
DEFAULT: List[Build] = [
    Build("bbv_pb2104", "pybind11", "2.10.4", 1, note="internals v4"),
    Build("bbv_pb2136", "pybind11", "2.13.6", 2, ("PYBIND11_INTERNALS_VERSION=5",),
          note="internals v5"),
    Build("bbv_pb304", "pybind11", "3.0.4", 3, note="internals v11"),
    Build("bbv_pb310", "pybind11", "3.1.0", 4, ("BBV_SMART_HOLDER",),
          note="internals v12, Pet with py::smart_holder"),
    Build("bbv_nb292", "nanobind", "2.9.2", 5),
    Build("bbv_nb2150", "nanobind", "2.15.0", 6),
    Build("bbv_nb310", "nanobind", "3.1.0", 7),
]

# Boost.Python: the system's (Debian's libboost-python-dev, for the
# interpreter's Python only), owning VPet<22>; the DEFAULT modules import
# it too.  In the conformance matrix (not in test_versions.py's pairs,
# which check what only pybind11 and nanobind modules do).
BOOST_PYTHON: List[Build] = [
    Build("bbv_bp174", "boost_python", "1.74.0", 22, note="the system's Boost.Python"),
]

COMPILE_ONLY: List[Build] = [
    Build("bbv_pb2112", "pybind11", "2.11.2", 8),
    Build("bbv_pb2121", "pybind11", "2.12.1", 9),
    Build("bbv_pb301", "pybind11", "3.0.1", 10),
    Build("bbv_nb2120", "nanobind", "2.12.0", 11),
    Build("bbv_nb301", "nanobind", "3.0.1", 12),
]

# Built and loaded beside DEFAULT (each binds a type a DEFAULT module binds
# too, in a domain of its own):
# - the same C++ types with another platform ABI (old libstdc++ string
#   ABI): its bindings must never be imported;
# - a second nanobind domain (NB_DOMAIN) of one version: a separate
#   framework that shares types through the registry;
# - a module of bbv_nb310's domain that exports nothing (its own VPet<21>
#   stays private): when it makes the domain's record, the exporters that
#   come later use the record's callbacks, which are its code.
EXTRAS: List[Build] = [
    Build("bbv_pb310_abi0", "pybind11", "3.1.0", 4, ("_GLIBCXX_USE_CXX11_ABI=0",),
          note="_GLIBCXX_USE_CXX11_ABI=0"),
    Build("bbv_nb310_dom", "nanobind", "3.1.0", 7, note="NB_DOMAIN bbdom"),
    Build("bbv_nb310_importer", "nanobind", "3.1.0", 21, ("BBV_IMPORT_ONLY",), note="exports nothing"),
    # another definition of VPet<7> (one member more), exported by nanobind
    # in a domain of its own (test_sizes.py); binds only what that calls.
    Build("bbv_nb310_big", "nanobind", "3.1.0", 7, ("BBV_PET_EXTRA", "BBV_HOSTILE_ONLY"),
          note="VPet<7> with one member more, NB_DOMAIN bbbig"),
]
NB_DOMAINS = {"bbv_nb310_dom": "bbdom", "hx_nb310_debug": "bbdebug", "bbv_nb310_big": "bbbig"}

# Unmodified pybind11 and nanobind modules (no bindbridge code) that bind
# VPet<7> and VShape<7> / VCircle<7>: the pybind11 ones take exported
# objects through pybind11's cpp conduit only, and bindbridge importers
# take theirs through it (test_conduit.py), or through a bridge of their
# internals (test_bridges.py, the only way to the nanobind ones).
PLAIN: List[Build] = [
    Build("plain_pb304", "pybind11-plain", "3.0.4", 0),
    Build("plain_pb304_abi0", "pybind11-plain", "3.0.4", 0, ("_GLIBCXX_USE_CXX11_ABI=0",),
          note="_GLIBCXX_USE_CXX11_ABI=0"),
    Build("plain_pb2136", "pybind11-plain", "2.13.6", 0, note="2.x conduit id"),
    Build("plain_pb2112", "pybind11-plain", "2.11.2", 0, note="the first with a conduit"),
    Build("plain_pb2104", "pybind11-plain", "2.10.4", 0, note="no conduit"),
    Build("plain_pb310", "pybind11-plain", "3.1.0", 0, note="internals v12"),
    Build("plain_pb2136_v5", "pybind11-plain", "2.13.6", 0, ("PYBIND11_INTERNALS_VERSION=5",),
          note="internals v5 (the default on Python 3.12+)"),
    Build("plain_pb310_big", "pybind11-plain", "3.1.0", 0, ("BBV_PET_EXTRA",),
          note="another definition of VPet<7> (one member more)"),
    # Unmodified nanobind modules: reached through a bridge only.  One per
    # way a bridge joins (nanobind/bridge.h join): 2.9's init, 2.10/2.11's
    # module state, 2.12-2.15's counted join, 3.x's nb_module_init (and a
    # 3.0 module read by the bridge built with 3.1).
    Build("plain_nb292", "nanobind-plain", "2.9.2", 0, note="internals v16"),
    Build("plain_nb2110", "nanobind-plain", "2.11.0", 0, note="internals v18"),
    Build("plain_nb2150", "nanobind-plain", "2.15.0", 0, note="internals v21"),
    Build("plain_nb310", "nanobind-plain", "3.1.0", 0, note="internals v22"),
    Build("plain_nb301", "nanobind-plain", "3.0.1", 0, note="internals v22, an older release"),
]

# The pybind11 module-local hook's test modules (hook_module.cpp), one per
# pybind11 version of the default matrix, plus 3.0.1 (where the hazard is a
# crash) and an unmodified 3.1 module (the hook acts process-wide).
HOOK: List[Build] = [
    Build("hook_pb2104", "pybind11-hook", "2.10.4", 0),
    Build("hook_pb2136", "pybind11-hook", "2.13.6", 0, ("PYBIND11_INTERNALS_VERSION=5",)),
    Build("hook_pb301", "pybind11-hook", "3.0.1", 0),
    Build("hook_pb304", "pybind11-hook", "3.0.4", 0),
    Build("hook_pb310", "pybind11-hook", "3.1.0", 0),
    Build("hook_pb310_plain", "pybind11-hook-plain", "3.1.0", 0, note="no bindbridge"),
]

# The hostile mix (test_hostile_mix.py): builds that must never touch each
# other's C++ objects loaded into one interpreter in every order.  The two
# pybind11 2.13 builds share one internals (v4 ignores the string ABI); the
# clang++/libstdc++ builds must interoperate with the g++ ones, the libc++
# build must be refused; the salted build has another bindbridge record
# layout (a test macro), the debug build another standard library layout
# (in a nanobind domain of its own: nanobind's own key ignores the debug
# mode, so two such builds would share nanobind's internals).
# Each owns a VPet of its own (ids 13..) so that pybind11 never sees one C++
# type registered twice.
# The hostile mix calls one function per pair (p<N>_describe), so most of
# its builds bind only those (version_module.cpp BBV_HOSTILE_ONLY: a
# quarter of the compile time).  The clang++ and libc++ builds keep the
# whole surface: they are the only proof that the adapters compile there.
LEAN = ("BBV_HOSTILE_ONLY",)
HOSTILE: List[Build] = [
    Build("hx_pb2136_abi0", "pybind11", "2.13.6", 13, ("_GLIBCXX_USE_CXX11_ABI=0",) + LEAN,
          note="internals v4, _GLIBCXX_USE_CXX11_ABI=0"),
    Build("hx_pb2136_abi1", "pybind11", "2.13.6", 14, LEAN, note="internals v4, _GLIBCXX_USE_CXX11_ABI=1"),
    Build("hx_nb310_abi0", "nanobind", "3.1.0", 15, ("_GLIBCXX_USE_CXX11_ABI=0",) + LEAN,
          note="_GLIBCXX_USE_CXX11_ABI=0"),
    Build("hx_pb310_clang", "pybind11", "3.1.0", 16, cxx="clang++", note="clang++, libstdc++"),
    Build("hx_nb310_clang", "nanobind", "3.1.0", 17, cxx="clang++", note="clang++, libstdc++"),
    Build("hx_pb310_libcxx", "pybind11", "3.1.0", 18, cxx="clang++", flags=("-stdlib=libc++",),
          note="clang++, libc++"),
    Build("hx_pb310_salt", "pybind11", "3.1.0", 19, ("BINDBRIDGE_TEST_LAYOUT_SALT=1",) + LEAN,
          note="another bindbridge record layout"),
    Build("hx_nb310_debug", "nanobind", "3.1.0", 20, ("_GLIBCXX_DEBUG",) + LEAN,
          note="_GLIBCXX_DEBUG, NB_DOMAIN bbdebug"),
    Build("plain_pb2136_abi0", "pybind11-plain", "2.13.6", 0, ("_GLIBCXX_USE_CXX11_ABI=0",),
          note="2.x conduit id, _GLIBCXX_USE_CXX11_ABI=0"),
]

# The same three builds that crashed 0.1.0 or share pybind11's internals
# across string ABIs, with ASan + UBSan (./dev sanitize runs the hostile
# mix with them in place of hx_pb2136_abi0/abi1 and hx_nb310_abi0).
SANITIZE_FLAGS = ("-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                  "-fno-omit-frame-pointer")
HOSTILE_SANITIZED: List[Build] = [
    Build("hxa_pb2136_abi0", "pybind11", "2.13.6", 13, ("_GLIBCXX_USE_CXX11_ABI=0",) + LEAN,
          flags=SANITIZE_FLAGS, opt="-O1", note="ASan -O1, _GLIBCXX_USE_CXX11_ABI=0"),
    Build("hxa_pb2136_abi1", "pybind11", "2.13.6", 14, LEAN, flags=SANITIZE_FLAGS, opt="-O1", note="ASan -O1"),
    Build("hxa_nb310_abi0", "nanobind", "3.1.0", 15, ("_GLIBCXX_USE_CXX11_ABI=0",) + LEAN,
          flags=SANITIZE_FLAGS, opt="-O1", note="ASan -O1, _GLIBCXX_USE_CXX11_ABI=0"),
]
SANITIZED_FOR = {"hx_pb2136_abi0": "hxa_pb2136_abi0", "hx_pb2136_abi1": "hxa_pb2136_abi1",
                 "hx_nb310_abi0": "hxa_nb310_abi0"}

# Python versions other than the main one run one pair each (see .ci/run).
OTHER_PYTHONS = {
    "3.8": ["bbv_pb304", "bbv_nb292"],    # the newest releases that still support 3.8
    "3.12": ["bbv_pb310", "bbv_nb310"],
    "3.13": ["bbv_pb310", "bbv_nb310"],
}


# The optimisation level of every build outside the conformance matrix
# (DEFAULT, BOOST_PYTHON: Release's -O3, as users build) that sets none
# of its own: those test loading, refusals, the hook and compiling, where
# -O1 gives the same answers for about a third less compile time
# (pybind11 3.0.1: 90 s at -O3, 59 s at -O1).
LEAN_OPT = "-O1"


def opt_of(b: Build) -> str:
    """The optimisation flag b is built with ("" for Release's own)."""
    if b.opt:
        return b.opt
    return "" if b in DEFAULT or b in BOOST_PYTHON else LEAN_OPT


def by_name(name: str) -> Build:
    for b in DEFAULT + BOOST_PYTHON + COMPILE_ONLY + EXTRAS + PLAIN + HOOK + HOSTILE + HOSTILE_SANITIZED:
        if b.name == name:
            return b
    raise KeyError(name)
