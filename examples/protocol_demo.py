"""examples/protocol_demo.py: two C-API "frameworks" share a type through the pymetabind registry.

bbtest_c is a tiny binding framework written in C99; bbtest_cpp is the same
framework compiled as C++ (it publishes a std::type_info and the C++ ABI
tag).  Neither knows the other: they meet only through the registry that
bindbridge/protocol.h implements.  Run it with ./dev demo.
"""

import os
import sys

sys.path.insert(0, os.environ.get("BINDBRIDGE_TEST_MODULES", "build/tests/modules"))

import bindbridge  # noqa: E402
import bindbridge.__main__ as cli  # noqa: E402


def say(text=""):
    print(text)


say("1. Import two extension modules built with different 'frameworks'.")
import bbtest_c  # noqa: E402
import bbtest_cpp  # noqa: E402

say("   bbtest_c   (%s) and bbtest_cpp (%s) joined the registry."
    % (bbtest_c.LANGUAGE, bbtest_cpp.LANGUAGE))
say()

say("2. Each binds its own Python type for the C struct Point{x, y} and exports it.")
CPoint = bbtest_c.make_type("Point")
CppPoint = bbtest_cpp.make_type("Point")
say("   %s and %s are published on the registry." % (CPoint.__qualname__, CppPoint.__qualname__))
say()

say("3. A function of one framework takes the other framework's object, zero-copy:")
p = CPoint(3, 4)
say("   p = bbtest_c.Point(3, 4)")
say("   bbtest_cpp.point_xy(p) -> %r" % (bbtest_cpp.point_xy(p),))
q = CppPoint(5, 12)
say("   q = bbtest_cpp.Point(5, 12)")
say("   bbtest_c.point_xy(q)   -> %r" % (bbtest_c.point_xy(q),))
p.x = 30
say("   after p.x = 30, bbtest_cpp.point_xy(p) -> %r (the same memory, not a copy)"
    % (bbtest_cpp.point_xy(p),))
say()

say("4. A framework hands a C value to the owner's to_python: the result is the owner's type.")
obj, is_new = bbtest_cpp.to_foreign("Point", 1.5, 2.5, bbtest_cpp.COPY)
say("   bbtest_cpp.to_foreign('Point', 1.5, 2.5, COPY) -> %s(%g, %g), new wrapper: %s"
    % (type(obj).__qualname__, obj.x, obj.y, bool(is_new)))
first, _ = bbtest_cpp.to_foreign("Point", 7, 8, bbtest_cpp.REFERENCE, 0)
again, is_new = bbtest_cpp.to_foreign("Point", 7, 8, bbtest_cpp.REFERENCE, 0)
say("   returning the same C object twice by reference gives the same Python object: %s"
    % (first is again,))
say()

say("5. Wrong input is refused with a clear error, never a crash:")
try:
    bbtest_cpp.point_xy("not a point")
except TypeError as e:
    say("   TypeError: %s" % e)
say()

say("6. The registry, as `python -m bindbridge` shows it:")
say()
say(cli.render())
