"""Headless Chromium, as CI installs it (Debian's `chromium`), with the flags this machine needs."""

import shutil
import subprocess
from pathlib import Path


CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900", "--virtual-time-budget=15000"]


def chromium(server, tmp_path, *extra) -> subprocess.CompletedProcess:
    url = f"{server.base}/lab/tree/notebooks/01_tensorflow.ipynb?token={server.token}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url],
                          capture_output=True, text=True, timeout=240)


