"""Small HTML summaries for the ``_repr_html_`` of results, grids and readers (Jupyter)."""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["html_summary"]


def html_summary(title: str, rows: Sequence[tuple[str, str]], *, tables: Sequence[str] = ()) -> str:
    """A small two-column HTML table for ``_repr_html_`` methods; every text is escaped.

    Parameters
    ----------
    title
        Shown in bold above the table.
    rows
        (label, value) pairs, plain text (escaped here).
    tables
        Ready HTML fragments (already escaped, e.g. ``DataFrame.to_html()``) appended below.

    Examples
    --------
    >>> page = html_summary("Terrain", [("source", "<b>dem</b>.tif")])
    >>> page.startswith('<div class="phusong-summary"><b>Terrain</b>'), "&lt;b&gt;dem" in page
    (True, True)
    """
    body = "".join(
        f'<tr><th style="text-align:left">{html.escape(str(label))}</th>'
        f'<td style="text-align:left">{html.escape(str(value))}</td></tr>'
        for label, value in rows
    )
    return (
        f'<div class="phusong-summary"><b>{html.escape(title)}</b><table>{body}</table>'
        + "".join(tables)
        + "</div>"
    )
