"""`kata dev messages STEP`: one page with every mutant's and corpus case's first message, in both languages."""

import subprocess
import sys
from pathlib import Path

import pytest

from kata_dev import proof

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_page_shows_each_mutant_and_case_of_the_step_in_spanish_and_english():
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "messages", "maxpool2d"], cwd=ROOT,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    names = [v.name for kind in ("mutants", "corpus") for v in proof.variants(kind) if v.step_id == "maxpool2d"]
    for name in names:
        assert f"· {name}\n" in done.stdout, name
    assert "Causa probable: ¿usaste padding='VALID'?" in done.stdout
    assert "Likely cause: did you use padding='VALID'?" in done.stdout


def test_an_unknown_step_is_named():
    done = subprocess.run([sys.executable, "-m", "kata", "dev", "messages", "pooling"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "pooling" in done.stderr
