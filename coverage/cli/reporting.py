"""Errors as one line on stderr and an exit code: what `phusong` does when a run fails.

* 2: a bad value or input (an option, or the library's :class:`CoverageError` and
  ``ValueError``: a site outside the DEM, a missing column, an existing output);
* 1: a file that cannot be read or written (``OSError``, rasterio's and pyogrio's errors),
  and unexpected errors (bugs), whose traceback ``-v`` shows.

The framing (``Error:``, the log levels, the hints) is in the command's language: its
``--lang``, else :func:`coverage.i18n.resolve_language` (``PHUSONG_LANG``, the locale). Each
command runs inside :func:`coverage.i18n.language` of that language, so that the library's
errors written with :func:`coverage.i18n.message` come in it too, and click's own messages
are rebuilt in it (:func:`coverage.cli.wording.usage_text`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import sys
import traceback
import warnings
from collections.abc import Iterator
from typing import Any

import click

from coverage.cli.wording import LANG, Group, command_language, context_language, usage_text
from coverage.errors import CoverageError, CoverageWarning
from coverage.i18n import Translator, language

VERBOSE = "phusong.verbose"
"""Key of ``click.Context.meta`` holding the ``-v`` count."""

__all__ = ["LANG", "VERBOSE", "ReportingGroup", "cli_language", "reported_errors", "say"]


def cli_language(ctx: click.Context | None = None) -> str:
    """The language of the running command: its ``--lang``, else the environment's.

    A ``PHUSONG_LANG`` naming no language is reported by the command that reads it; the
    framing of that report is English.
    """
    return context_language(ctx if ctx is not None else click.get_current_context(silent=True))


def say(message_id: str, **fields: Any) -> str:
    """A command-line message in the running command's language (:func:`cli_language`)."""
    return Translator(cli_language())(message_id, **fields)


class _Framed:
    """``Error: message`` in the command's language (click writes it in English)."""

    lang = "en"
    """The language of the command that failed, fixed when the error is raised."""

    def show(self, file: Any = None) -> None:
        text = Translator(self.lang)("cli.error", message=self.format_message())
        click.echo(text, file=file if file is not None else sys.stderr)

    def format_message(self) -> str:
        return str(getattr(self, "message", ""))


class Interrupted(_Framed, click.ClickException):
    """Ctrl-C (or SIGINT): one line in the command's language, exit code 130 (128 + SIGINT).

    The outputs under way were removed on the way out (``atomic_output``), so the line says
    so; click's own ``Aborted!`` would be English and say nothing of the files.
    """

    exit_code = 128 + signal.SIGINT


class UsageFailure(_Framed, click.UsageError):
    """A bad value or input: one line, exit code 2."""


class Failure(_Framed, click.ClickException):
    """A file that cannot be read or written, or a bug: one line, exit code 1."""


def _framed(
    kind: type[UsageFailure] | type[Failure] | type[Interrupted],
    message: str,
    ctx: click.Context | None | str,
) -> Any:
    """The error, framed in the language of ``ctx`` (or the language ``ctx`` names)."""
    error = kind(message)
    error.lang = ctx if isinstance(ctx, str) else cli_language(ctx)
    return error


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
def reported_errors(ctx: click.Context | None, *, lang: str | None = None) -> Iterator[None]:
    """Turn errors into one line on stderr and an exit code; ``-v`` adds the traceback.

    ``lang``: the language of an error raised before any context holds one (parsing).
    """
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise
    except click.UsageError as exc:  # one line: no usage block
        where = exc.ctx if exc.ctx is not None else ctx
        speak = cli_language(where) if where is not None or lang is None else lang
        message = one_line(usage_text(exc, speak))
        message += "" if message.endswith((".", "?", "!")) else "."
        hint = ""
        if exc.ctx is not None:
            hint = " " + Translator(speak)("cli.see_help", command=exc.ctx.command_path)
        raise _framed(UsageFailure, message + hint, speak) from exc
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
            message = Translator(cli_language(ctx))(
                "cli.unexpected", kind=type(exc).__name__, message=one_line(_describe(exc))
            )
            raise _framed(Failure, message, ctx) from exc
        if code == 2:
            raise _framed(UsageFailure, one_line(_describe(exc)), ctx) from exc
        raise _framed(Failure, one_line(_describe(exc)), ctx) from exc


class LevelFormatter(logging.Formatter):
    """Log lines whose level (``WARNING``...) is named in the command's language."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        level = record.levelname
        record.levelname = Translator(cli_language()).get(f"cli.level_{level}", level)
        try:
            return super().formatMessage(record)
        finally:
            record.levelname = level


class ReportingGroup(Group):
    """A command group reporting every error a user can cause on one line (module docstring)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        lang = command_language(args, scenario=self._scenario(None, args))
        with reported_errors(None, lang=lang):
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        # phusong's warnings are advice to the user, shown as log lines, never errors
        with reported_errors(ctx), language(cli_language(ctx)), warnings.catch_warnings():
            warnings.simplefilter("default", CoverageWarning)
            warnings.showwarning = show_warning
            try:
                return super().invoke(ctx)
            except (KeyboardInterrupt, Exception) as exc:
                if not _raised_by_interrupt(exc):
                    raise
                message = Translator(cli_language(ctx))("cli.interrupted")
                raise _framed(Interrupted, message, ctx) from exc


def _raised_by_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is a Ctrl-C or came while one unwound the stack (a
    ``KeyboardInterrupt`` in its context chain), so that it is reported as the interrupt.

    A Ctrl-C landing inside CPython's ``threading.Condition.wait`` (the main thread waiting
    for a worker thread's result) can leave the condition's lock released; leaving the
    ``with`` block then raises ``RuntimeError: cannot release un-acquired lock``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__context__
    return False


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
