"""examples/migration/use.py: the zoo's user code, which runs unchanged at every step of the migration.

    python use.py STEP_DIR   (the build folder of one step: step0, step1 or step2)
"""

import sys

sys.path.insert(0, sys.argv[1])

import zoo  # noqa: E402


class Parrot(zoo.Animal):
    def sound(self):
        return "hello"


def main(step):
    rex = zoo.Animal("rex", 4)
    keeper = zoo.Keeper("kim")
    keeper.adopt(rex)
    keeper.adopt(Parrot("polly", 2))
    assert keeper.legs() == 6
    assert keeper.chorus() == "... hello"          # the override answers C++'s virtual call
    assert keeper.animals()[0] is rex              # the same Python object comes back
    assert type(keeper.animals()[1]) is Parrot
    del rex
    assert keeper.animals()[0].name == "rex"       # the keeper keeps it alive
    print("%s: %s keeps %s (%d legs)" % (step, keeper.name,
                                         ", ".join(a.name for a in keeper.animals()), keeper.legs()))


main(sys.argv[1].rstrip("/").split("/")[-1])
