"""Headless Chromium opens a notebook in a real `kata lab`, as a Spanish learner starts it: JupyterLab
renders it in Spanish, not a login page, without nbgrader's instructor tools; the terminal shows the
address and no Jupyter log.

CI installs Debian's `chromium`; elsewhere these tests are skipped with the command to install it.
`KATA_LAB_SCREENSHOT=DIR` keeps the screenshot there, to look at it.
"""

import os
import secrets
import shutil
from pathlib import Path

import numpy as np
import pytest

from support.browser import CHROMIUM, chromium
from support.lab import LabServer


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = LabServer(tmp_path_factory.mktemp("lab"), secrets.token_hex(16), {"KATA_LANG": "es"}, verbose=False)
    try:
        yield running.wait_until_up()
    finally:
        running.stop()


def test_the_page_chromium_renders_is_jupyterlab_showing_the_notebook(server, tmp_path):
    done = chromium(server, tmp_path, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "jp-Notebook" in dom, "JupyterLab did not render a notebook"
    assert "Fase 2" in dom and "TensorFlow" in dom
    assert "Password or token" not in dom
    # JupyterLab's own words in Spanish (its menus), and nbgrader's instructor tab not there
    assert "Archivo" in dom and "Editar" in dom and ">File<" not in dom
    assert "Create Assignment" not in dom and "Crear tarea" not in dom


def test_the_terminal_shows_the_address_and_the_log_goes_to_the_katas_folder(server):
    printed = server.log.read_text()
    assert f"Abre · Open: http://127.0.0.1:{server.port}/lab?token={server.token}" in printed
    assert "ServerApp" not in printed and str(server.jupyter_log) in printed, printed
    assert "ServerApp" in server.jupyter_log.read_text()


def test_a_screenshot_of_the_notebook_is_a_real_non_blank_png(server, tmp_path):
    import matplotlib.image

    shot = tmp_path / "lab.png"
    done = chromium(server, tmp_path, f"--screenshot={shot}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(shot)
    assert pixels.shape[:2] == (900, 1280)
    colours = np.unique((pixels[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 50, f"only {len(colours)} colours: a blank page?"
    keep = os.environ.get("KATA_LAB_SCREENSHOT")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(keep) / "lab-es.png")
