"""The student notebooks: generated, stored clean, and run end to end in a real kernel.

With the reference solutions and a small training slice a notebook runs to the end and shows the
curves and the final accuracy; with the stubs it stops at the first check cell with the short
"not implemented yet" message instead of a traceback wall.
"""

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kata import manifest
from kata_dev import build
from kata_dev.notebooks import notebook_files

ROOT = Path(__file__).resolve().parents[2]
TRACKS = [track.id for track in manifest.tracks(ROOT)]
NOTEBOOKS = {track.id: ROOT / "notebooks" / f"{track.notebook}.ipynb" for track in manifest.tracks(ROOT)}
FIRST_STEP = {track: manifest.steps(ROOT, track=track)[0].id for track in TRACKS}


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_committed_notebooks_are_exactly_what_kata_build_writes():
    generated = notebook_files(ROOT)
    assert sorted(generated) == sorted(f"notebooks/{p.name}" for p in NOTEBOOKS.values())
    stale = [rel for rel, text in generated.items() if (ROOT / rel).read_text(encoding="utf-8") != text]
    assert not stale, f"{stale} differ from the manifest: run `kata build`"


def test_generating_twice_gives_the_same_bytes():
    assert notebook_files(ROOT) == notebook_files(ROOT)


@pytest.mark.parametrize("track", TRACKS)
def test_the_notebooks_are_stored_without_outputs_or_execution_counts(track):
    for cell in _load(NOTEBOOKS[track])["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, cell["id"]


@pytest.mark.parametrize("track", TRACKS)
def test_each_step_of_the_track_has_an_edit_cell_and_a_check_cell_in_course_order(track):
    cells = _load(NOTEBOOKS[track])["cells"]
    sources = ["".join(c["source"]) for c in cells]
    positions = []
    for step in manifest.steps(ROOT, track=track):
        where = sources.index(f'where("{step.id}")')
        check = next(i for i, s in enumerate(sources) if s.startswith(f'check("{step.id}")'))
        assert where < check
        positions.append(check)
    assert positions == sorted(positions)


@pytest.mark.parametrize("track", TRACKS)
def test_a_tagged_parameters_cell_comes_before_the_set_up_with_autoreload(track):
    cells = _load(NOTEBOOKS[track])["cells"]
    tagged = [i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    params = "".join(cells[tagged[0]]["source"])
    assert 'IMPL = "exercises"' in params and "TRAIN_LIMIT = " in params
    setup = "".join(cells[tagged[0] + 1]["source"])
    assert "%autoreload 2" in setup and "setup(IMPL)" in setup


# --- running them ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory):
    """An environment with a python3 kernelspec: the machine's, or one installed into a temp prefix."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    env = {"KATA_LANG": "en", "TF_CPP_MIN_LOG_LEVEL": "2",
           "IPYTHONDIR": str(tmp_path_factory.mktemp("ipython"))}
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        prefix = tmp_path_factory.mktemp("kernel")
        subprocess.run([sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "python3"],
                       check=True, capture_output=True)
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"),
                                                            os.environ.get("JUPYTER_PATH")]))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits the test process's environment
    yield env
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_notebook(path, parameters: str):
    """Execute a copy of the notebook with its parameters cell replaced; returns (notebook, error)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = parameters
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as err:
        return nb, err
    return nb, None


def outputs(nb, cell_id):
    return next(c for c in nb.cells if c.get("id") == cell_id).outputs


def stdout_of(nb, cell_id) -> str:
    return "".join(o.get("text", "") for o in outputs(nb, cell_id) if o.output_type == "stream")


@pytest.fixture(scope="module")
def stubs(tmp_path_factory) -> Path:
    """The generated stubs in a folder of their own, whatever state exercises/ is in."""
    folder = tmp_path_factory.mktemp("stubs")
    for rel, text in build.exercise_files(ROOT).items():
        (folder / Path(rel).name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("track", TRACKS)
def test_run_all_with_the_stubs_stops_at_the_first_check_with_a_short_not_implemented_message(track, kernel_env, stubs):
    nb, error = run_notebook(NOTEBOOKS[track], f"IMPL = {str(stubs)!r}\nTRAIN_LIMIT = 256\nTEST_LIMIT = 256\nEPOCHS = 1")
    assert error is not None, "the notebook ran to the end with the stubs"
    failed = [c.id for c in nb.cells if any(o.output_type == "error" for o in c.get("outputs", []))]
    assert failed == [f"step-{FIRST_STEP[track]}-check"]
    text = str(error)
    assert "not implemented yet" in text
    assert len(text.splitlines()) < 40, text
    assert "Traceback" not in text and "File \"" not in text, text
    ran_after = [c.id for c in nb.cells[[c.get("id") for c in nb.cells].index(failed[0]) + 1:]
                 if c.cell_type == "code" and c.execution_count is not None]
    assert ran_after == []


@pytest.mark.slow
@pytest.mark.parametrize("track", TRACKS)
def test_run_all_with_the_solutions_passes_every_check_and_shows_the_curves_and_the_final_accuracy(track, kernel_env):
    nb, error = run_notebook(NOTEBOOKS[track], 'IMPL = "solutions"\nTRAIN_LIMIT = 256\nTEST_LIMIT = 256\nEPOCHS = 2')
    assert error is None, str(error)
    for step in manifest.steps(ROOT, track=track):
        assert f"✓ {step.id}" in stdout_of(nb, f"step-{step.id}-check")
    bar = [o for o in outputs(nb, "training-run") if o.output_type == "display_data"]
    assert bar and "100%" in bar[-1].data["text/plain"]
    pictures = [o.data["image/png"] for o in outputs(nb, "training-curves")
                if o.output_type == "display_data" and "image/png" in o.data]
    assert pictures and all(base64.b64decode(p).startswith(b"\x89PNG\r\n\x1a\n") for p in pictures)
    accuracy = re.search(r"final test accuracy: (\d\.\d{4})", stdout_of(nb, "training-curves"))
    assert accuracy and 0.0 <= float(accuracy.group(1)) <= 1.0
