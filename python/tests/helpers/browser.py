"""Headless Chromium (Debian's ``chromium``, installed by ``.ci/run`` when missing) for the HTML
report tests: a screenshot and the rendered DOM of a local file, with a fresh profile and every
background network feature off."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import REPO

ARTIFACTS = REPO / ".ci" / "artifacts"  # git-ignored: screenshots the lead can look at


def chromium() -> str | None:
    return shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)


def _run(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    binary = chromium()
    assert binary, "chromium is not installed"
    args = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def screenshot(page: Path, png: Path, tmp: Path) -> Path:
    """A 1400x1000 screenshot of ``page`` at ``png``."""
    done = _run(page, tmp / "chromium-profile-shot", f"--screenshot={png}", "--window-size=1400,1000")
    assert png.is_file(), f"chromium wrote no screenshot (exit {done.returncode}): {done.stderr[-2000:]}"
    return png


def dump_dom(page: Path, tmp: Path) -> str:
    """The DOM after the page loaded and its scripts ran, serialized."""
    done = _run(page, tmp / "chromium-profile-dom", "--dump-dom")
    assert done.returncode == 0 and done.stdout.strip(), f"chromium --dump-dom failed: {done.stderr[-2000:]}"
    return done.stdout


def keep(png: Path, name: str) -> Path:
    """A copy of a screenshot at a stable path (``.ci/artifacts/<name>``)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(png, ARTIFACTS / name))
