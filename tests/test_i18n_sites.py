"""No sentence a person reads is written in code: every raise, warning and log line goes through the catalogue.

An AST scan of the package: a ``raise X("...")`` / ``raise X(f"...")``, a
``warnings.warn("...")`` or a logger call whose text is a literal would reach a
Vietnamese user in English. Messages go through :func:`coverage.i18n.message` (or
``term``), whose ids tests/test_i18n.py checks in both languages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import coverage

PACKAGE = Path(coverage.__file__).parent
LOG_METHODS = {"debug", "info", "warning", "error", "critical", "exception"}
FORMAT_SPEC = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[a-z]")
NOT_FOR_A_PERSON = {
    # numba's probe for coverage.py imports us by mistake; the ImportError goes to numba
    ("__init__.py", "this `coverage` is phusong, not coverage.py"),
    # raised inside a numba kernel (no Python frame to translate in); the public
    # functions calling it document the condition, and a person never builds a profile
    ("physics/diffraction.py", "distances_m must increase strictly along the profile"),
}
"""Literal messages that stay: (module, text) and why."""
CATALOGUE_ITSELF = "i18n/__init__.py"
"""The catalogue's own errors (an id written twice, an id missing) cannot come from it."""


def _literal(node: ast.expr) -> bool:
    """A string written in code: a constant, an f-string, or their concatenation."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and _words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and _words(v.value) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) or _literal(node.right)
    return False


def _words(text: str) -> bool:
    """Whether a literal holds a word, not only ``%s``-style format specifiers."""
    return any(c.isalpha() for c in FORMAT_SPEC.sub("", text))


def _text(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) else ast.unparse(node)


def _sites(tree: ast.AST) -> list[tuple[int, str, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            if _literal(node.exc.args[0]):
                found.append((node.lineno, "raise", _text(node.exc.args[0])))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args:
            name = node.func.attr
            owner = node.func.value
            is_warn = name == "warn" and isinstance(owner, ast.Name) and owner.id == "warnings"
            is_log = (
                name in LOG_METHODS
                and isinstance(owner, ast.Name)
                and owner.id in {"log", "logger", "LOG", "_log", "_logger"}
            )
            if (is_warn or is_log) and _literal(node.args[0]):
                found.append((node.lineno, name, _text(node.args[0])))
    return found


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "vendor" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_sentence_outside_the_catalogue(path: Path) -> None:
    module = path.relative_to(PACKAGE).as_posix()
    sites = [
        (line, kind)
        for line, kind, text in _sites(ast.parse(path.read_text(encoding="utf-8")))
        if (module, text) not in NOT_FOR_A_PERSON
        and not (module == CATALOGUE_ITSELF and kind == "raise")
    ]
    where = ", ".join(f"line {line} ({kind})" for line, kind in sites)
    assert not sites, f"{path.name}: text written in code at {where}; use coverage.i18n.message"


def test_the_scan_finds_a_literal() -> None:
    tree = ast.parse(
        "import warnings\n"
        "raise ValueError(f'bad {x}')\n"
        "warnings.warn('careful')\n"
        "log.info('%d sites', n)\n"
        "log.info('%s', say('cli.x'))\n"
        "raise ValueError(message('errors.x'))\n"
    )
    assert [kind for _, kind, _ in _sites(tree)] == ["raise", "warn", "info"]


def test_every_exception_still_exists() -> None:
    """An allowed literal that left its module is removed from the list, not kept."""
    for module, text in NOT_FOR_A_PERSON:
        source = (PACKAGE / module).read_text(encoding="utf-8")
        assert text in source, f"{module} no longer says {text!r}: drop it from NOT_FOR_A_PERSON"
