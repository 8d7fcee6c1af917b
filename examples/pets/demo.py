"""examples/pets/demo.py: a nanobind Pet in pybind11 functions, the roles swapped, Boost.Python, and a module never rebuilt.

Run from the build directory of this project (./dev demo does all of it).
"""

import gc
import os
import subprocess
import sys

sys.path.insert(0, os.environ.get("BINDBRIDGE_DEMO_MODULES", os.getcwd()))

import bindbridge  # noqa: E402
import bindbridge.__main__ as registry_cli  # noqa: E402


def show(code, value):
    print("    >>> %s\n    %r" % (code, value))


def tour(pets, groomer, title, owner, user):
    g = groomer.__name__
    print("\n%s\n%s" % (title, "=" * len(title)))
    print("  %s binds Pet and exports it; %s declares Pet and never binds it.\n"
          % (owner, user))
    p = pets.Pet("Rex", "woof")
    show("p = %s.Pet('Rex', 'woof')" % pets.__name__, p)
    show("%s.groom(p)          # a %s function, a %s object" % (g, user, owner), groomer.groom(p))
    groomer.teach(p, "WOOF")
    show("%s.teach(p, 'WOOF'); p.sound   # the same object, no copy" % g, p.sound)
    c = groomer.clone(p)
    show("type(%s.clone(p))    # returned by value, as the owner's type" % g, type(c))
    show("%s.favourite() is %s.favourite()   # a Pet& keeps its identity" % (g, g),
         groomer.favourite() is groomer.favourite())
    a = groomer.adopt("Tom")
    show("%s.adopt('Tom')      # a std::shared_ptr<Pet>, kept alive through Python" % g, a)
    try:
        groomer.groom("not a pet")
    except TypeError as e:
        print("    >>> %s.groom('not a pet')\n    TypeError: %s" % (g, str(e).splitlines()[0]))
    try:
        groomer.inspect(pets.Pet("Mute", ""))
    except pets.GroomingError as e:
        print("    >>> %s.inspect(%s.Pet('Mute', ''))   # a C++ exception keeps the owner's type"
              % (g, pets.__name__))
        print("    %s.GroomingError: %s" % (pets.__name__, e))
    del p, c, a
    gc.collect()


part = sys.argv[1] if len(sys.argv) > 1 else "all"
if part == "1":
    import pets  # nanobind
    import groomer  # pybind11
    tour(pets, groomer, "1. nanobind owns Pet, pybind11 uses it", "nanobind (pets)",
         "pybind11 (groomer)")
elif part == "2":
    import pets11  # pybind11
    import groomer_nb  # nanobind
    tour(pets11, groomer_nb, "2. Roles swapped: pybind11 owns Pet, nanobind uses it",
         "pybind11 (pets11)", "nanobind (groomer_nb)")
else:
    # Each direction in a fresh interpreter, as two programs would run.
    for p in ("1", "2"):
        sys.stdout.flush()
        subprocess.run([sys.executable, __file__, p], check=True)
    print("\n3. All four modules in one interpreter: one C++ Pet, two owners, and")
    print("   groomer takes either (pybind11's own natively, nanobind's through the registry).")
    import groomer, groomer_nb, pets, pets11  # noqa: E401,F401
    show("groomer.groom(pets11.Pet('Bo', 'yip'))   # pybind11 object: native",
         groomer.groom(pets11.Pet("Bo", "yip")))
    show("groomer.groom(pets.Pet('Cy', 'hiss'))    # nanobind object: foreign",
         groomer.groom(pets.Pet("Cy", "hiss")))
    try:
        import kennel  # Boost.Python (built where Boost.Python is installed)
        import walker, walker_nb  # noqa: E401
    except ImportError:
        kennel = None
        print("\n4. (Boost.Python act skipped: no Boost.Python for this interpreter;"
              " Debian: apt-get install libboost-python-dev, then rebuild)")
    if kennel is not None:
        print("\n4. Boost.Python joins: kennel (Boost.Python) binds Collar and takes any Pet;")
        print("   walker (pybind11) and walker_nb (nanobind) use Collar without binding it.")
        show("kennel.board(pets.Pet('Rex', 'woof'))      # a nanobind Pet in Boost.Python",
             kennel.board(pets.Pet("Rex", "woof")))
        show("type(kennel.twin(pets.Pet('Bo', 'yip')))    # a Pet by value: the owner's type",
             type(kennel.twin(pets.Pet("Bo", "yip"))))
        show("kennel.board(pets11.Pet('Di', 'meow'))     # and pybind11's Pet",
             kennel.board(pets11.Pet("Di", "meow")))
        c = kennel.collar_for(pets.Pet("Cy", "hiss"))
        show("c = kennel.collar_for(pets.Pet('Cy', 'hiss')); c", c)
        show("walker.read(c)       # a Boost.Python object in pybind11", walker.read(c))
        walker_nb.engrave(c, "(nanobind)")
        show("walker_nb.engrave(c, '(nanobind)'); c.tag   # ... and in nanobind, no copy", c.tag)
        show("walker.spare(c)      # a Collar made in pybind11 comes back as kennel's",
             walker.spare(c))
    print("\n5. Zero rebuild: feeder is built with plain pybind11 (no bindbridge code, nothing")
    print("   published); groomer_nb (nanobind) takes its Bowl through pybind11's own conduit.")
    import feeder
    bowl = feeder.Bowl("tuna")
    groomer_nb.fill(bowl, 40)
    show("bowl = feeder.Bowl('tuna'); groomer_nb.fill(bowl, 40); bowl.grams   # in place", bowl.grams)
    show("groomer_nb.menu(bowl)", groomer_nb.menu(bowl))
    print("   A return needs feeder's types published: bindbridge.bridge() has the bridge of")
    print("   feeder's pybind11 internals publish them (it would create none if there were none).")
    attached = bindbridge.bridge()
    show("[b.module for b in bindbridge.bridge()]", [b.module for b in attached])
    more = groomer_nb.second_helping(bowl)
    show("groomer_nb.second_helping(bowl)   # a new feeder.Bowl, made in nanobind",
         "%s: %s" % (type(more).__module__ + "." + type(more).__name__, groomer_nb.menu(more)))
    print("\n6. The registry, as `python -m bindbridge --import pets --import groomer "
          "--import pets11 --import groomer_nb%s --import feeder --bridge` prints it:\n"
          % (" --import kennel --import walker --import walker_nb" if kennel else ""))
    print(registry_cli.render())
