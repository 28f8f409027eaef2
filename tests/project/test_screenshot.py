"""Headless Chromium opens a notebook in a real `kata lab`: JupyterLab renders it, not a login page.

CI installs Debian's `chromium`; elsewhere these tests are skipped with the command to install it.
"""

import secrets
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
    running = LabServer(tmp_path_factory.mktemp("lab"), secrets.token_hex(16))
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
