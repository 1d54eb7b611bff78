"""The command line in the user's language: which one, ``--help`` and click's own messages.

Which language a run speaks is decided once, from the raw argument list, before click
parses anything (:func:`command_language`): click's parse errors and ``--help`` can come
before the ``--lang`` option is processed. The choice lives in the run's
``click.Context.meta`` (shared by the group's and the command's contexts), never in click's
globals, so a Python caller's process is left as it was.

``--help`` is written at format time from message ids (:class:`Option`, :class:`Command`,
:class:`Group`); click's parse errors are rebuilt from the fields its exception classes
carry (:func:`usage_text`), and the value types of :mod:`coverage.cli.options` fail in the
run's language (:class:`PathType`, :class:`Integer`, :class:`Choice`). Every English text is
the one click writes.
"""

from __future__ import annotations

import inspect
import os
import stat
from collections.abc import Mapping, Sequence
from gettext import gettext, ngettext
from typing import Any

import click
from click.core import _make_default_short_help  # click's own shortening of a help text

from coverage.errors import CoverageError
from coverage.i18n import LANGUAGES, Translator, resolve_language

LANG = "phusong.lang"
"""Key of ``click.Context.meta`` holding the language the command speaks (its ``--lang``)."""

HELP_LANG = "phusong.help_lang"
"""Key of ``click.Context.meta`` holding the language of ``--help``: the run's, without the
command's scenario (the demo's and the report's ``vi`` is their products' language; their
help follows ``--lang``, ``PHUSONG_LANG`` and the locale like every other command's)."""

LANG_GIVEN = "phusong.lang_given"
"""Key of ``click.Context.meta`` holding the ``--lang`` found in the arguments, or None."""


# ---------------------------------------------------------------- the language


def given_language(args: Sequence[str]) -> str | None:
    """The last valid ``--lang X`` or ``--lang=X`` before a ``--``, or None.

    Examples
    --------
    >>> given_language(["gaps", "--lang", "vi", "--out", "x.csv", "--lang=en"])
    'en'
    >>> given_language(["--lang", "fr"]), given_language(["--", "--lang", "vi"])
    (None, None)
    """
    found = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and index + 1 < len(args):
            value = args[index + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        if value is not None:
            found = value if value in LANGUAGES else found
    return found


def command_language(
    args: Sequence[str],
    *,
    scenario: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The language of a run of ``phusong`` with ``args``: the one rule, decided before parsing.

    In order: the last ``--lang`` in ``args`` (before ``--``; a value that names no language
    is left to the option to refuse); ``PHUSONG_LANG``; ``scenario`` (the command's own
    data language, ``vi`` for the Lào Cai demo and the report); the locale (``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``); English (:func:`coverage.i18n.resolve_language`). A
    ``PHUSONG_LANG`` that names no language gives English here; the command reports it.

    Examples
    --------
    >>> command_language(["gaps", "--lang=vi"], environ={"PHUSONG_LANG": "en"})
    'vi'
    >>> command_language(["demo"], scenario="vi", environ={"LANG": "en_US.UTF-8"})
    'vi'
    >>> command_language(["map"], environ={"PHUSONG_LANG": "fr", "LANG": "vi_VN"})
    'en'
    """
    try:
        return resolve_language(given_language(args), default=scenario, environ=environ)
    except CoverageError:
        return "en"


def context_language(ctx: click.Context | None) -> str:
    """The language of the run ``ctx`` belongs to (decided by :func:`command_language`)."""
    chosen = ctx.meta.get(LANG) if ctx is not None else None
    return str(chosen) if chosen else command_language([])


def _translator(ctx: click.Context | None) -> Translator:
    return Translator(context_language(ctx))


def _help_translator(ctx: click.Context) -> Translator:
    return Translator(str(ctx.meta.get(HELP_LANG) or context_language(ctx)))


class Text:
    """A message id and its fields, written when it is read (in the reader's language).

    A field may itself be a :class:`Text`.

    Examples
    --------
    >>> Text("cli.help_lang", what=Text("cli.help_lang_map"), fallback="vi").render(
    ...     Translator("en")
    ... )[:44]
    'Language of the map (layers, legend, popups,'
    """

    def __init__(self, message_id: str, **fields: Any) -> None:
        self.message_id = message_id
        self.fields = fields

    def render(self, t: Translator) -> str:
        fields = {k: v.render(t) if isinstance(v, Text) else v for k, v in self.fields.items()}
        return t(self.message_id, **fields)


def _with_english_help(help_id: str | Text | None, attrs: dict[str, Any]) -> Text | None:
    """The help of ``help_id`` as a :class:`Text`; its English set as click's ``help``."""
    text = Text(help_id) if isinstance(help_id, str) else help_id
    if text is not None:
        attrs["help"] = text.render(Translator("en"))
    return text


# ---------------------------------------------------------------------- --help


class Option(click.Option):
    """A click option whose help is a message id (``help_id``), written in the run's language.

    ``help`` holds the English text, as click and callers read it.
    """

    def __init__(self, *decls: Any, help_id: str | Text | None = None, **attrs: Any) -> None:
        self.help_text = _with_english_help(help_id, attrs)
        super().__init__(*decls, **attrs)

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        return help_record(self, ctx)

    def make_metavar(self, ctx: click.Context) -> str:
        """click's placeholder of the value (``FILE``, ``PATH``...) in the run's language."""
        metavar = super().make_metavar(ctx)
        word = metavar.removesuffix("...")
        if self.metavar is None and word in _METAVARS:
            metavar = _help_translator(ctx)(_METAVARS[word]) + metavar[len(word) :]
        return metavar


_METAVARS = {
    "FILE": "cli.click_metavar_file",
    "PATH": "cli.click_metavar_path",
    "DIRECTORY": "cli.click_metavar_directory",
    "TEXT": "cli.click_metavar_text",
    "INTEGER": "cli.click_metavar_integer",
    "INTEGER RANGE": "cli.click_metavar_integer_range",
}
"""click's placeholders of a value's type, by the English word click writes."""


def help_record(param: click.Option, ctx: click.Context) -> tuple[str, str] | None:
    """``(names, help)`` of an option on the help page, in the run's language."""
    if param.hidden:
        return None
    t = _help_translator(ctx)
    help_text = getattr(param, "help_text", None)
    if help_text is not None:
        text = help_text.render(t)
    elif ctx.command.get_help_option(ctx) is param:
        text = t("cli.click_help_option")
    else:
        text = param.help or ""
    extra = param.get_help_extra(ctx)
    items = []
    if "envvars" in extra:
        items.append(t("cli.click_env_var", var=", ".join(extra["envvars"])))
    if "default" in extra:
        items.append(t("cli.click_default", default=extra["default"]))
    if "range" in extra:
        items.append(extra["range"])
    if "required" in extra:
        items.append(t("cli.click_required"))
    if items:
        joined = "; ".join(items)
        text = f"{text}  [{joined}]" if text else f"[{joined}]"
    return param.get_help_spec(ctx), text


def _lang_scenario(command: click.Command) -> str | None:
    """The data language of ``command`` (its ``--lang`` option's scenario), or None."""
    for param in command.params:
        if param.name == "lang":
            return getattr(param, "scenario", None)
    return None


class ExtraArguments(click.BadArgumentUsage):
    """Arguments left over after parsing (click's message, with the arguments kept)."""

    def __init__(self, extra: Sequence[str], ctx: click.Context) -> None:
        self.extra = [str(arg) for arg in extra]
        template = ngettext(
            "Got unexpected extra argument ({args})",
            "Got unexpected extra arguments ({args})",
            len(self.extra),
        )
        super().__init__(template.format(args=" ".join(self.extra)), ctx)


class MissingCommand(click.UsageError):
    """A group called with options but no command."""

    def __init__(self, ctx: click.Context) -> None:
        super().__init__(gettext("Missing command."), ctx)


class _Speaking:
    """``--help`` in the run's language; the language decided before parsing."""

    help_text: Text | None = None

    def _decide_language(self, ctx: click.Context, args: Sequence[str]) -> None:
        if LANG not in ctx.meta:
            ctx.meta[LANG_GIVEN] = given_language(args)
            ctx.meta[HELP_LANG] = command_language(args)
            ctx.meta[LANG] = command_language(args, scenario=self._scenario(ctx, args))

    def _scenario(self, ctx: click.Context | None, args: Sequence[str]) -> str | None:
        return _lang_scenario(self)  # type: ignore[arg-type]

    def help_in(self, ctx: click.Context) -> str | None:
        """The command's help in the run's language (English: ``help``)."""
        if self.help_text is None:
            return getattr(self, "help", None)
        return self.help_text.render(_help_translator(ctx))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        text = self.help_in(ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(inspect.cleandoc(text).partition("\f")[0])

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        t = _help_translator(ctx)
        pieces = [t("cli.click_options_metavar")]
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            pieces.extend(param.get_usage_pieces(ctx))
        if isinstance(self, click.Group):
            pieces.append(t("cli.click_command_metavar"))
        prefix = t("cli.click_usage") + " "
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=prefix)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            if isinstance(param, click.Option):
                record = help_record(param, ctx)
                if record is not None:
                    records.append(record)
        if records:
            with formatter.section(_help_translator(ctx)("cli.click_options_heading")):
                formatter.write_dl(records)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class Command(_Speaking, click.Command):
    """A command whose help is a message id (``help_id``); leftover arguments are refused
    in the run's language."""

    def __init__(self, *args: Any, help_id: str | Text | None = None, **attrs: Any) -> None:
        self.help_text = _with_english_help(help_id, attrs)
        super().__init__(*args, **attrs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self._decide_language(ctx, args)
        allowed = ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = allowed
        if rest and not allowed and not ctx.resilient_parsing:
            raise ExtraArguments(rest, ctx)
        return rest

    def short_help_in(self, ctx: click.Context, limit: int) -> str:
        """The first sentence of the help in the run's language, shortened to ``limit``."""
        if self.short_help:
            return inspect.cleandoc(self.short_help).strip()
        text = self.help_in(ctx)
        return _make_default_short_help(text, limit).strip() if text else ""


class Group(_Speaking, click.Group):
    """A group speaking the run's language; its commands are :class:`Command` by default."""

    command_class = Command

    def __init__(self, *args: Any, help_id: str | Text | None = None, **attrs: Any) -> None:
        self.help_text = _with_english_help(help_id, attrs)
        super().__init__(*args, **attrs)

    def _scenario(self, ctx: click.Context | None, args: Sequence[str]) -> str | None:
        """The scenario of the command named in ``args`` (the first word not an option's)."""
        takes_value = {
            opt
            for param in self.params
            if isinstance(param, click.Option) and not (param.is_flag or param.count)
            for opt in param.opts
        }
        skip = False
        for arg in args:
            if skip:
                skip = False
            elif arg in takes_value:
                skip = True
            elif not arg.startswith("-"):
                command = self.commands.get(arg)
                return _lang_scenario(command) if command is not None else None
        return None

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        self._decide_language(ctx, args)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        if not ctx._protected_args and not self.invoke_without_command:
            raise MissingCommand(ctx)
        return super().invoke(ctx)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        shown = [(name, cmd) for name, cmd in commands if cmd is not None and not cmd.hidden]
        if not shown:
            return
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        rows = [
            (name, cmd.short_help_in(ctx, limit) if isinstance(cmd, Command) else
             cmd.get_short_help_str(limit))
            for name, cmd in shown
        ]  # fmt: skip
        with formatter.section(_help_translator(ctx)("cli.click_commands_heading")):
            formatter.write_dl(rows)


# ------------------------------------------------------------ click's parse errors


def _hint(exc: click.BadParameter) -> str | None:
    hint: Any = exc.param_hint
    if hint is None and exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(repr(x) for x in hint)
    return hint


def _possibilities(t: Translator, possibilities: Sequence[str] | None) -> str:
    if not possibilities:
        return ""
    listed = ", ".join(repr(p) for p in sorted(possibilities))
    if len(possibilities) == 1:
        return " " + t("cli.click_did_you_mean", possibility=listed)
    return " " + t("cli.click_did_you_mean_one_of", possibilities=listed)


def _missing(exc: click.MissingParameter, t: Translator) -> str:
    param_type = exc.param_type
    if param_type is None and exc.param is not None:
        param_type = exc.param.param_type_name
    hint = _hint(exc)
    ids = {"argument": "cli.click_missing_argument", "option": "cli.click_missing_option"}
    text = t(ids.get(str(param_type), "cli.click_missing_parameter"), name=hint or "")
    text = text.replace(" .", ".").replace("  ", " ")  # no hint: "Missing option."
    extra = exc.message
    if exc.param is not None and isinstance(exc.param.type, click.Choice):
        choices = ",\n\t".join(map(str, exc.param.type.choices))
        extra = f"{extra}. " if extra else ""
        extra += t("cli.click_choose_from", choices=choices)
    return f"{text} {extra}" if extra else text


def _option_usage(exc: click.BadOptionUsage, t: Translator) -> str:
    """click's "requires an argument" / "does not take a value", by what click would write."""
    name = exc.option_name
    nargs = 1
    command = exc.ctx.command if exc.ctx is not None else None
    for param in command.params if command is not None else []:
        if name in getattr(param, "opts", ()) + getattr(param, "secondary_opts", ()):
            nargs = param.nargs
    if exc.message == gettext("Option {name!r} does not take a value.").format(name=name):
        return t("cli.click_takes_no_value", name=repr(name))
    requires = ngettext(
        "Option {name!r} requires an argument.",
        "Option {name!r} requires {nargs} arguments.",
        nargs,
    )
    if exc.message == requires.format(name=name, nargs=nargs):
        key = "cli.click_requires_argument" if nargs == 1 else "cli.click_requires_arguments"
        return t(key, name=repr(name), nargs=nargs)
    return exc.format_message()


def usage_text(exc: click.UsageError, lang: str) -> str:
    """click's message for a usage error, in ``lang``, from the fields the exception carries.

    In English it is the text click writes; a message built by phusong itself (``ctx.fail``,
    a ``BadParameter`` of :mod:`coverage.cli.options`) is already in the run's language and
    only its ``Invalid value for '--x':`` framing is translated.
    """
    t = Translator(lang)
    if isinstance(exc, click.MissingParameter):
        return _missing(exc, t)
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        if hint is None:
            return t("cli.click_invalid_value_no_hint", message=exc.message)
        return t("cli.invalid_value", option=hint, message=exc.message)
    if isinstance(exc, click.NoSuchOption):
        if exc.message != gettext("No such option {name!r}.").format(name=exc.option_name):
            return exc.format_message()
        text = t("cli.click_no_such_option", name=repr(exc.option_name))
        return text + _possibilities(t, exc.possibilities)
    no_such_command = getattr(click.exceptions, "NoSuchCommand", None)  # click >= 8.4
    if no_such_command is not None and isinstance(exc, no_such_command):
        if exc.message != gettext("No such command {name!r}.").format(name=exc.command_name):
            return exc.format_message()
        text = t("cli.click_no_such_command", name=repr(exc.command_name))
        return text + _possibilities(t, exc.possibilities)
    if isinstance(exc, click.BadOptionUsage):
        return _option_usage(exc, t)
    if isinstance(exc, ExtraArguments):
        key = "cli.click_extra_argument" if len(exc.extra) == 1 else "cli.click_extra_arguments"
        return t(key, args=" ".join(exc.extra))
    if isinstance(exc, MissingCommand):
        return t("cli.click_missing_command")
    return exc.format_message()


# ------------------------------------------------------- value types in the language


class PathType(click.Path):
    """click's ``Path``, refusing a path in the run's language (its checks, its order)."""

    _KINDS = {"file": "cli.click_kind_file", "directory": "cli.click_kind_directory"}

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not (self.file_okay and self.allow_dash and value in ("-", b"-")):
            t = _translator(ctx)
            target = os.path.realpath(value) if self.resolve_path else value
            kind = t(self._KINDS.get(str(self.name), "cli.click_kind_path"))
            shown = repr(click.format_filename(value))
            try:
                mode: int | None = os.stat(target).st_mode
            except OSError:
                mode = None
            checks = [
                (self.exists and mode is None, "cli.click_path_missing"),
                (mode is not None and not self.file_okay and stat.S_ISREG(mode),
                 "cli.click_path_is_file"),
                (mode is not None and not self.dir_okay and stat.S_ISDIR(mode),
                 "cli.click_path_is_directory"),
                (mode is not None and self.readable and not os.access(target, os.R_OK),
                 "cli.click_path_unreadable"),
                (mode is not None and self.writable and not os.access(target, os.W_OK),
                 "cli.click_path_unwritable"),
            ]  # fmt: skip
            for failed, message_id in checks:
                if failed:
                    self.fail(t(message_id, kind=kind, path=shown), param, ctx)
        return super().convert(value, param, ctx)


class Integer(click.IntRange):
    """click's ``IntRange``, refusing a value in the run's language."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        t = _translator(ctx)
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(t("cli.click_not_integer", value=value), param, ctx)
        below = self.min is not None and (
            number <= self.min if self.min_open else number < self.min
        )
        above = self.max is not None and (
            number >= self.max if self.max_open else number > self.max
        )
        if below or above:
            self.fail(t("errors.out_of_range", value=number, range=self._describe_range()),
                      param, ctx)  # fmt: skip
        return number


class Choice(click.Choice):
    """click's ``Choice``, refusing a value in the run's language."""

    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        choices = ", ".join(repr(choice) for choice in self.choices)
        key = "cli.click_not_the_choice" if len(self.choices) == 1 else "cli.click_not_one_of"
        return _translator(ctx)(key, value=value, choices=choices)


def option(*decls: Any, **attrs: Any) -> Any:
    """``click.option`` making an :class:`Option` (help given as ``help_id``)."""
    return click.option(*decls, cls=attrs.pop("cls", Option), **attrs)


class LangOption(Option):
    """``--lang``: knows the command's data language (``scenario``) for :func:`command_language`."""

    def __init__(self, *decls: Any, scenario: str | None = None, **attrs: Any) -> None:
        self.scenario = scenario
        super().__init__(*decls, **attrs)
