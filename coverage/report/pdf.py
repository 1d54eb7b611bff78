"""The report as PDF: the same HTML page printed by headless Chromium (``--print-to-pdf``)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from coverage.errors import OutputWriteError
from coverage.i18n import message
from coverage.io.files import atomic_output

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
"""Executables tried, in order, for headless printing."""
TIMEOUT_S = 300
"""Longest a print may take (a province's report prints in seconds)."""


def find_browser() -> str | None:
    """Path of the first Chromium-family browser on ``PATH``, or None.

    Examples
    --------
    >>> find_browser() is None or Path(find_browser()).name in BROWSERS
    True
    """
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def html_to_pdf(page: str, out: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Print an HTML page to ``out`` with headless Chromium (A4, no header or footer).

    Raises :class:`~coverage.errors.OutputWriteError` with how to get Chromium when none is
    installed, or with Chromium's own message when printing fails; ``out`` is then not
    written.
    """
    browser = find_browser()
    if browser is None:
        raise OutputWriteError(message("errors.report.pdf_no_chromium", out=out))
    with tempfile.TemporaryDirectory(prefix="phusong-report-") as work:
        source = Path(work) / "report.html"
        source.write_text(page, encoding="utf-8")
        with atomic_output(out, overwrite=overwrite) as tmp:
            command = [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--no-pdf-header-footer",
                f"--user-data-dir={Path(work) / 'profile'}",
                f"--print-to-pdf={tmp}",
                source.as_uri(),
            ]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise OutputWriteError(
                    message("errors.report.pdf_browser_failed", out=out, browser=browser, exc=exc)
                ) from exc
            if done.returncode != 0 or not tmp.exists() or tmp.stat().st_size == 0:
                detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
                raise OutputWriteError(
                    message(
                        "errors.report.pdf_not_printed",
                        out=out,
                        browser=browser,
                        returncode=done.returncode,
                        detail=detail,
                    )
                )
    return Path(out)
