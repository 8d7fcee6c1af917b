"""python -m bindbridge: paths for build systems, and the registry as tables.

    python -m bindbridge --include-dir     # for -I (also --include_dir; --includes prints -I<dir>)
    python -m bindbridge --cmake-dir       # for bindbridge_DIR (also --cmakedir, --cmake_dir)
    python -m bindbridge --stubgen-patterns  # nanobind.stubgen -p file: no capsule in stubs
    python -m bindbridge [--import MODULE ...] [--bridge]   # frameworks and bindings
    python -m bindbridge --header nanobind --import MODULE [--include H] [--output F]
                                             # import declarations for MODULE's types
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import List, Optional, Sequence

import bindbridge


def _table(headers: Sequence[str], rows: List[Sequence[str]]) -> str:
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    return "\n".join(lines)


def _type_name(t: object) -> str:
    if not isinstance(t, type):
        return repr(t)
    module = getattr(t, "__module__", None)
    qualname = getattr(t, "__qualname__", t.__name__)
    return qualname if module in (None, "builtins") else "%s.%s" % (module, qualname)


def render() -> str:
    """The registry of this interpreter as two readable tables."""
    fws = bindbridge.frameworks()
    out = []
    if not bindbridge.registry_exists():
        out.append("No pymetabind registry in this interpreter yet "
                   "(no framework that speaks it has been imported).")
        return "\n".join(out)
    used = [b for b in bindbridge.bridges() if b.attached or b.refused]
    bridged = {b.attached for b in used if b.attached}
    out.append("Frameworks (%d), in the order they joined:" % len(fws))
    out.append(_table(
        ("#", "name", "language", "ABI tag", "flags"),
        [(str(i + 1), f.name + (" [bridged]" if f.name in bridged else ""), f.language,
          f.abi_tag or "-", ",".join(f.flags) or "-")
         for i, f in enumerate(fws)]))
    if used:
        out.append("")
        out.append("Bridges (%d): types of modules built without bindbridge, published by "
                   "bindbridge.bridge():" % len(used))
        out.append(_table(
            ("bridge", "built with", "internals", "types", "publishes under"),
            [(b.module, "%s %s" % (b.framework, b.built_with), b.internals, str(b.types),
              b.attached or "not attached: " + (b.refused or "")) for b in used]))
    bs = bindbridge.bindings()
    out.append("")
    out.append("Bindings (%d), in the order they were published:" % len(bs))
    out.append(_table(
        ("Python type", "C++ type", "framework"),
        [(_type_name(b.python_type), b.cpp_name or "-", b.framework) for b in bs]))
    # The modules are judged by their own ABI tags (never by the tag this
    # Python package was built with, which a wheel from another toolchain
    # would not share with any local build): C++ frameworks whose tags
    # differ do not share C++ types with each other.
    by_tag: dict = {}
    for f in fws:
        if f.language == "C++":
            by_tag.setdefault(f.abi_tag, []).append(f.name)
    # Same name and ABI tag, yet two frameworks: two records of one domain.
    keys = [(f.name, f.abi_tag) for f in fws if f.language == "C++"]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if len(by_tag) > 1 or twice:
        out.append("")
        if len(by_tag) > 1:
            out.append("note: these C++ frameworks have %d different ABI tags; C++ types are "
                       "not shared between groups:" % len(by_tag))
            for tag in sorted(by_tag, key=lambda t: (t is None, str(t))):
                out.append("  %r: %s" % (tag, ", ".join(by_tag[tag])))
        for k in twice:
            out.append("note: %d frameworks are named %r: modules of one domain built with "
                       "another bindbridge version or record layout keep separate records; "
                       "types pass between them through the protocol" % (keys.count(k), k[0]))
    return "\n".join(out)


# The path queries answer before anything loads the _diag extension.
_PATH_QUERIES = {
    "--include-dir": lambda: bindbridge.include_dir(),
    "--include_dir": lambda: bindbridge.include_dir(),
    "--includes": lambda: "-I%s" % bindbridge.include_dir(),
    "--cmake-dir": lambda: bindbridge.cmake_dir(),
    "--cmakedir": lambda: bindbridge.cmake_dir(),
    "--cmake_dir": lambda: bindbridge.cmake_dir(),
    "--stubgen-patterns": lambda: os.path.join(
        os.path.dirname(os.path.abspath(bindbridge.__file__)), "stubgen-patterns.txt"),
}


def main(argv: Optional[Sequence[str]] = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    if len(args_in) == 1 and args_in[0] in _PATH_QUERIES:
        print(_PATH_QUERIES[args_in[0]]())
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m bindbridge",
        allow_abbrev=False,  # only the spellings below (--includes is not --include-dir)
        description="bindbridge %s (pymetabind %s): build paths and registry diagnostics."
        % (bindbridge.__version__, bindbridge.PYMETABIND_VERSION))
    parser.add_argument("--version", action="version", version=bindbridge.__version__)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--include-dir", "--include_dir", dest="include_dir", action="store_true",
                       help="print the include directory and exit (also --include_dir)")
    where.add_argument("--includes", dest="include_flags", action="store_true",
                       help="print the include directory as a -I flag, as pybind11's "
                            "--includes does, and exit")
    where.add_argument("--cmake-dir", "--cmakedir", "--cmake_dir", dest="cmake_dir",
                       action="store_true",
                       help="print the directory of bindbridgeConfig.cmake and exit")
    where.add_argument("--stubgen-patterns", action="store_true",
                       help="print the path of the pattern file for nanobind's stubgen (-p) "
                            "that keeps the protocol's capsule out of stubs, and exit")
    parser.add_argument("--import", dest="imports", metavar="MODULE", action="append",
                        default=[], help="import MODULE first (repeatable)")
    parser.add_argument("--bridge", action="store_true",
                        help="after the imports, call bindbridge.bridge(): publish the types of "
                             "modules built without bindbridge through the bridges of their "
                             "internals (also before --header)")
    parser.add_argument("--why", nargs=2, metavar=("MODULE.FUNC", "TYPE"),
                        help="explain which frameworks can pass instances of the Python type "
                             "TYPE (module.Class) to MODULE.FUNC")
    parser.add_argument("--header", choices=("pybind11", "nanobind"),
                        help="print a C++ header declaring every C++ type the --import "
                             "modules export imported, for this framework's modules")
    parser.add_argument("--include", dest="includes", metavar="HEADER", action="append",
                        default=[], help="with --header: a header declaring the C++ types "
                                         "(repeatable)")
    parser.add_argument("--exclude", metavar="NAME", action="append", default=[],
                        help="with --header: leave out this C++ or Python type name, e.g. a "
                             "type the including module binds itself (repeatable)")
    parser.add_argument("--output", metavar="FILE",
                        help="with --header: write FILE (only if it changes) instead of stdout")
    args = parser.parse_args(args_in)
    if (args.includes or args.output or args.exclude) and not args.header:
        parser.error("--include, --exclude and --output go with --header")
    if args.header and not args.imports:
        parser.error("--header needs at least one --import MODULE")

    for flag, chosen in (("--include-dir", args.include_dir), ("--includes", args.include_flags),
                         ("--cmake-dir", args.cmake_dir),
                         ("--stubgen-patterns", args.stubgen_patterns)):
        if chosen:
            print(_PATH_QUERIES[flag]())
            return 0
    for name in args.imports:
        try:
            importlib.import_module(name)
        except ImportError as e:
            print("python -m bindbridge: cannot import %s: %s" % (name, e), file=sys.stderr)
            return 2
    if args.bridge:
        bindbridge.bridge()
    if args.header:
        from bindbridge import header

        command = "python -m bindbridge --header %s %s%s" % (
            args.header, " ".join("--import %s" % m for m in args.imports),
            " --bridge" if args.bridge else "")
        text = header.generate(args.header, args.imports, args.includes, command, args.exclude)
        if args.output:
            header.write_if_changed(args.output, text)
        else:
            sys.stdout.write(text)
        return 0
    if args.why:
        try:
            print(why(*args.why))
        except (ImportError, AttributeError, ValueError) as e:
            print("python -m bindbridge --why: %s" % e, file=sys.stderr)
            return 2
        return 0
    print(render())
    return 0


def _resolve(dotted: str):
    module, _, attr = dotted.rpartition(".")
    if not module:
        raise ValueError("expected MODULE.NAME, got %r" % dotted)
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def why(func_path: str, type_path: str) -> str:
    """Type-level explanation: which bindings of the C++ types in FUNC's
    signature could take instances of TYPE, and why not."""
    func = _resolve(func_path)
    typ = _resolve(type_path)
    doc = (getattr(func, "__doc__", None) or "").strip().splitlines()
    lines = ["%s:" % func_path] + ["    " + d for d in doc[:1]]
    theirs = bindbridge.binding_of(typ)
    if theirs is None:
        lines.append("%s is not published on the pymetabind registry: no other framework "
                     "can take it (export it with bindbridge::export_type<T>)" % type_path)
        return "\n".join(lines)
    cpp = theirs.native_type or theirs.cpp_name
    lines.append("%s is published by %s as C++ %s" % (type_path, theirs.framework, cpp))
    wanted = bindbridge.wanted_types(func)
    if wanted and cpp not in wanted:
        lines.append("%s takes C++ %s, not %s: no framework converts between different C++ types"
                     % (func_path, ", ".join(wanted), cpp))
    fws = {f.address: f for f in bindbridge.frameworks()}
    own = fws.get(theirs.framework_address)
    for f in bindbridge.frameworks():
        if f.address == theirs.framework_address:
            continue
        if f.language != "C++" or own is None or own.language != "C++":
            verdict = "cannot import it: C++ types are shared between C++ frameworks only"
        elif f.abi_tag != own.abi_tag:
            verdict = "cannot import it: ABI tag %r differs from the owner's %r" % (f.abi_tag,
                                                                                    own.abi_tag)
        else:
            verdict = ("can take it where its module declares the C++ type (import), "
                       "zero-copy through the owner")
        lines.append("  - %s: %s" % (f.name, verdict))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
