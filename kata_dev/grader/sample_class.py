"""A realistic class to grade, for measuring the grader: every student hands in the whole kata,
most steps right, a few with one of the common mistakes of `tests/project/mutants/`, a few steps
left as the stub; the same class for the same seed.

    python -m kata_dev.grader.sample_class SUBMISSIONS [--count 20] [--seed 0]
    kata dev grade SUBMISSIONS OUT -j 2
"""

import argparse
import random
from pathlib import Path

from kata import manifest
from kata.paths import find_root, solutions_dir
from kata.stubs import stub_text


def make_class(folder: Path, count: int = 20, seed: int = 0, root=None) -> list:
    """Write `count` students' folders into `folder` (which must not exist); their names."""
    root = Path(root or find_root())
    rng = random.Random(seed)
    steps = manifest.steps(root)
    mutants = {s.id: sorted((root / "tests" / "project" / "mutants" / s.id).glob("*.py")) for s in steps}
    folder = Path(folder)
    folder.mkdir(parents=True)
    names = []
    for number in range(count):
        student = folder / f"student{number:02d}"
        student.mkdir()
        for step in steps:
            source = (solutions_dir(root) / step.filename).read_text(encoding="utf-8")
            roll = rng.random()
            if roll < 0.2 and mutants[step.id]:
                source = rng.choice(mutants[step.id]).read_text(encoding="utf-8")
            elif roll < 0.3:
                source = stub_text(step, root)
            (student / step.filename).write_text(source, encoding="utf-8")
        names.append(student.name)
    return names


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kata_dev.grader.sample_class", description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", type=Path, help="a folder to create")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.submissions.exists():
        parser.error(f"{args.submissions} exists; give a new folder")
    print(f"{len(make_class(args.submissions, args.count, args.seed))} students in {args.submissions}")


if __name__ == "__main__":
    main()
