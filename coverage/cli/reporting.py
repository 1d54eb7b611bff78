"""Errors as one line on stderr and an exit code: what `phusong` does when a run fails.

* 2: a bad value or input (an option, or the library's :class:`CoverageError` and
  ``ValueError``: a site outside the DEM, a missing column, an existing output);
* 1: a file that cannot be read or written (``OSError``, rasterio's and pyogrio's errors),
  and unexpected errors (bugs), whose traceback ``-v`` shows.
"""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import click

from coverage.errors import CoverageError, CoverageWarning

VERBOSE = "phusong.verbose"
"""Key of ``click.Context.meta`` holding the ``-v`` count."""

_IO_LIBRARIES = ("rasterio", "pyogrio")
_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|uint)\d*\(([^()]*)\)")


def one_line(message: str) -> str:
    """A message on one line, numpy scalars written as plain numbers."""
    return _NUMPY_SCALAR.sub(r"\1", " ".join(str(message).split()))


def _exit_code(exc: Exception) -> int | None:
    """2 for a bad value or input, 1 for unreadable or unwritable files, None for a bug."""
    if isinstance(exc, CoverageError | ValueError):
        return 2
    if isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in _IO_LIBRARIES:
        return 1
    return None


def _describe(exc: Exception) -> str:
    if isinstance(exc, OSError) and not isinstance(exc, CoverageError) and exc.strerror:
        names = [str(n) for n in (exc.filename, exc.filename2) if n is not None]
        return f"{exc.strerror}: {' -> '.join(names)}" if names else exc.strerror
    return str(exc) or type(exc).__name__


@contextlib.contextmanager
def reported_errors(ctx: click.Context | None) -> Iterator[None]:
    """Turn errors into one line on stderr and an exit code; ``-v`` adds the traceback."""
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as exc:  # one line: no usage block
        message = one_line(exc.format_message())
        message += "" if message.endswith((".", "?", "!")) else "."
        hint = f" See '{exc.ctx.command_path} --help'." if exc.ctx is not None else ""
        raise click.UsageError(message + hint) from exc
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except Exception as exc:
        verbose = bool(ctx is not None and ctx.meta.get(VERBOSE))
        code = _exit_code(exc)
        if code is None and verbose:
            raise
        if verbose:
            traceback.print_exception(exc, file=sys.stderr)
        if code is None:
            message = (
                f"unexpected {type(exc).__name__}: {one_line(_describe(exc))} "
                "(a bug in phusong: run again with -v for the traceback and report it)"
            )
            raise click.ClickException(message) from exc
        if code == 2:
            raise click.UsageError(one_line(_describe(exc))) from exc
        raise click.ClickException(one_line(_describe(exc))) from exc


class ReportingGroup(click.Group):
    """A command group reporting every error a user can cause on one line (module docstring)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with reported_errors(None):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # phusong's warnings are advice to the user, shown as log lines, never errors
        with reported_errors(ctx), warnings.catch_warnings():
            warnings.simplefilter("default", CoverageWarning)
            warnings.showwarning = show_warning
            return super().invoke(ctx)


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A warning as one log line: phusong's own without the source line that raised it."""
    if issubclass(category, CoverageWarning):
        logging.getLogger("coverage").warning("%s", one_line(str(message)))
    else:
        text = warnings.formatwarning(message, category, filename, lineno, line)
        logging.getLogger("py.warnings").warning("%s", one_line(text))
