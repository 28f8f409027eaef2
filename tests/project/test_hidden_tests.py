"""The instructor's hidden tests (tests/hidden/): they pass on the reference solutions, reject
common mistakes, and never reach a student — not in the release, and only inside the hidden-test
blocks of the nbgrader source notebook."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kata_dev import proof
from kata_dev.nbgrader_source import ASSIGNMENT, COURSE_DIR, notebook_files

REPO = Path(__file__).resolve().parents[2]
HIDDEN = REPO / "tests" / "hidden"
SOURCE = f"{COURSE_DIR}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
# Mistakes each hidden suite must reject on its own (the public suite rejects them too).
MUTANTS = {
    "conv2d": ["strides_ignored", "valid_padding", "no_bias", "no_relu"],
    "maxpool2d": ["k_ignored", "valid_padding", "zero_padding", "stride_one", "average_pool"],
    "fully_connected": ["hardcoded_width", "channels_first_flatten", "no_relu"],
}

DRIVER = """
import json, sys
import pytest
from kata.judging.suite import Recorder
for label, suite, impl in json.loads(sys.argv[1]):
    recorder = Recorder()
    pytest.main([suite, "--impl=" + impl, "-q", "-p", "no:cacheprovider", "--rootdir=" + sys.argv[2],
                 "-c", sys.argv[2] + "/pyproject.toml"], plugins=[recorder])
    print("@@hidden " + json.dumps({"label": label, "outcomes": [(o.name, o.status, o.message) for o in recorder.outcomes]}))
"""


def run_hidden(runs) -> dict:
    """{label: [(test, status, message)]} for each (label, hidden suite, impl folder), in one child."""
    done = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(runs), str(REPO)], cwd=REPO, capture_output=True,
                          text=True, timeout=900, env={**__import__("os").environ, "KATA_LANG": "en"})
    found = {}
    for line in done.stdout.splitlines():
        if line.startswith("@@hidden "):
            record = json.loads(line[len("@@hidden "):])
            found[record["label"]] = record["outcomes"]
    return found


@pytest.mark.slow
def test_the_hidden_suites_pass_on_the_solutions_and_reject_the_mistakes(tmp_path):
    runs = [(f"solutions/{step}", str(HIDDEN / f"test_{step}.py"), str(REPO / "solutions")) for step in MUTANTS]
    for step, names in MUTANTS.items():
        for variant in (v for v in proof.variants("mutants") if v.step_id == step and v.path.stem in names):
            folder = proof.make_impl(variant, tmp_path / f"{step}-{variant.path.stem}")
            runs.append((variant.name, str(HIDDEN / f"test_{step}.py"), str(folder)))
    assert len(runs) == len(MUTANTS) + sum(map(len, MUTANTS.values())), "a mutant named here no longer exists"
    found = run_hidden(runs)
    for label, _, _ in runs:
        outcomes = found.get(label)
        assert outcomes, f"{label}: the hidden suite did not run"
        if label.startswith("solutions/"):
            assert all(status == "passed" for _, status, _ in outcomes), (label, outcomes)
        else:
            failed = [(name, message) for name, status, message in outcomes if status == "failed"]
            assert failed and all(message.strip() for _, message in failed), (label, outcomes)
            assert "Traceback" not in failed[0][1]


def hidden_call(text: str):
    """(step id, source) of the check_hidden(...) call in a test cell's hidden block, else None."""
    if "### BEGIN HIDDEN TESTS" not in text:
        return None
    block = text.split("### BEGIN HIDDEN TESTS\n", 1)[1].split("### END HIDDEN TESTS", 1)[0]
    call = ast.parse(block).body[0].value
    assert call.func.id == "check_hidden"
    return tuple(ast.literal_eval(arg) for arg in call.args)


def test_every_hidden_suite_is_in_the_hidden_block_of_its_steps_test_cell_and_no_block_is_empty():
    cells = {c["id"]: "".join(c["source"]) for c in json.loads(notebook_files(REPO)[SOURCE])["cells"]}
    tests = {cid.removesuffix("-tests"): text for cid, text in cells.items() if cid.endswith("-tests")}
    with_hidden = {p.stem.removeprefix("test_") for p in HIDDEN.glob("test_*.py")}
    assert with_hidden == set(MUTANTS)
    for step, text in tests.items():
        if step in with_hidden:
            assert hidden_call(text) == (step, (HIDDEN / f"test_{step}.py").read_text(encoding="utf-8"))
        else:
            assert hidden_call(text) is None and "HIDDEN" not in text, f"{step}: an empty hidden-test block"


def test_the_release_leaves_the_hidden_tests_out(tmp_path):
    from kata_dev.release import release

    bundle = release(tmp_path / "bundle").out
    assert not (bundle / "tests" / "hidden").exists()
    for path in (HIDDEN).glob("test_*.py"):
        marker = path.read_text(encoding="utf-8").splitlines()[0]
        assert not any(marker in p.read_text(encoding="utf-8", errors="replace")
                       for p in bundle.rglob("*") if p.is_file() and p.suffix in (".py", ".ipynb", ".md"))
