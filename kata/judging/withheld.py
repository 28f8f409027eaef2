"""What a graded submission's feedback may carry of the text its own code wrote: nearly nothing.

A submission decides every text it sends: its exceptions' messages and class names, what it
prints, the strings it returns, the titles of its figures, the names in its frames. Any of them
could carry the reference code its worker holds (the earlier steps it uses), in any encoding.
So the grader's feedback — what the student receives — never quotes that text: the instructor's
results/ keep the full message (`Outcome.detail`), and the student can read it by running the
same public tests with `kata check`, on their own code, at home.

Two rules, both applied by the judge before a message leaves it:
- `kata.judging.failures` words a learner's exception as its type (when it is one of Python's or
  TensorFlow's, else "an exception of its own class") and where it happened (the step's own
  file, a line number), and describes values by kind, shape and dtype (`ACTIVE`).
- `Collector.mask` blanks any run of `WINDOW` or more characters of a test's message that also
  appears in text the worker sent during that test, unless that text is the judge's own (a
  string literal of the tests or of the kata, which the student already has).
"""

import ast
import re
from functools import lru_cache
from pathlib import Path

from kata.paths import PACKAGE_ROOT

ACTIVE = False             # set in the grader's judge: failures and describe_value withhold learner text
WINDOW = 8                 # the shortest run of characters blanked
MAX_TEXT = 2_000_000       # characters of worker text kept per test; past it, every message is withheld whole
MARK = "[…]"
# Fields of a reply (and of its error) that no message shows as they came: identifiers the judge
# routes by, what only the instructor reads (attempts), and what `failures` checks before showing
# (a class name against known ones, an exit code that must be a number, a frame's file and line).
UNQUOTED = {"kind", "key", "path", "functions", "attempts", "frames", "type", "module", "bases", "exit_code",
            "errno", "stub", "stub_step", "syntax", "line", "file"}


def active() -> bool:
    return ACTIVE


class revealed:
    """`with revealed():` words a message in full (the instructor's detail), even in the grader."""

    def __enter__(self):
        global ACTIVE
        self.was, ACTIVE = ACTIVE, False

    def __exit__(self, *exc):
        global ACTIVE
        ACTIVE = self.was


class Collector:
    """The text the workers sent during the running test, and the masking of a message against it."""

    def __init__(self, root):
        global ACTIVE
        ACTIVE = True
        self.own = judge_texts(str(Path(root).resolve()))
        self.texts = []
        self.size = 0
        self.overflow = False

    def start_test(self) -> None:
        self.texts, self.size, self.overflow = [], 0, False

    def collect(self, header) -> None:
        """Keep every string (and dict key) of a worker's reply that is long enough to matter, but
        for the fields a message never quotes as they came (`UNQUOTED`)."""
        stack = [header]
        while stack and not self.overflow:
            item = stack.pop()
            if isinstance(item, str):
                if len(item) >= WINDOW and item not in self.own:
                    self.texts.append(item)
                    self.size += len(item)
                    self.overflow = self.size > MAX_TEXT
            elif isinstance(item, dict):
                fields = {k: v for k, v in item.items() if k not in UNQUOTED} if item is header or \
                    item is header.get("error") else item
                stack.extend(fields.keys())
                stack.extend(fields.values())
            elif isinstance(item, list):
                stack.extend(item)

    def mask(self, message: str) -> str:
        """`message` with every run of WINDOW+ characters that the worker sent replaced by MARK."""
        if self.overflow:
            return MARK
        if not self.texts or len(message) < WINDOW:
            return message
        grams = set()
        for text in self.texts:
            grams.update(text[i:i + WINDOW] for i in range(len(text) - WINDOW + 1))
        covered = [False] * len(message)
        for i in range(len(message) - WINDOW + 1):
            if message[i:i + WINDOW] in grams:
                covered[i:i + WINDOW] = [True] * WINDOW
        out, i = [], 0
        while i < len(message):
            if covered[i]:
                while i < len(message) and covered[i]:
                    i += 1
                out.append(MARK)
            else:
                out.append(message[i])
                i += 1
        return "".join(out)


@lru_cache(maxsize=4)
def judge_texts(root: str) -> frozenset:
    """Every string literal of the tests and of the kata package (the judge's own words, which a
    worker may echo honestly: the names of metrics, layers, keys), and the stubs' messages."""
    from kata import manifest
    from kata.stubs import stub_message

    found = set()
    folders = [Path(root) / "tests" / "steps", Path(root) / "tests" / "hidden", PACKAGE_ROOT / "kata"]
    for folder in folders:
        for path in sorted(folder.rglob("*.py")) if folder.is_dir() else []:
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError, OSError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) >= WINDOW:
                    found.add(node.value)
    try:
        for step in manifest.steps(root):
            found.add(stub_message(step.id, step.filename))
    except Exception:  # a tiny kata without a full manifest
        pass
    return frozenset(found)


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,79}$")


def type_name(name: str, known) -> str:
    """An exception's class name as the feedback may show it: one of `known` (Python's, TensorFlow's),
    else a neutral phrase."""
    from kata.i18n import t

    if isinstance(name, str) and _IDENTIFIER.match(name) and name.split(".")[-1] in known:
        return name.split(".")[-1]
    return t("una excepción de su propia clase", "an exception of its own class")
