"""Progress bars for :func:`coverage.model.predict` and :func:`coverage.analyse` (tqdm)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["tqdm_progress"]


def tqdm_progress(
    total: int, desc: str = "coverage", *, unit: str = "site", **tqdm_options: Any
) -> Callable[[int], None]:
    """A progress bar to pass as ``progress=`` to :func:`predict` or :func:`coverage.analyse`.

    The library itself stays silent (``progress=None`` by default); ask for a bar with
    this helper. In Jupyter it is a widget when ``ipywidgets`` is installed and a text bar
    otherwise; in a terminal it is a text bar on stderr.

    Parameters
    ----------
    total
        Number of sites (``len(towers)``).
    desc
        Label shown before the bar.
    unit
        What one step is.
    **tqdm_options
        Passed to ``tqdm`` (``file=``, ``leave=``, ``disable=``...).

    Returns
    -------
    callable
        ``update(done)``: moves the bar to ``done`` sites; closes it when ``done >= total``.

    Examples
    --------
    >>> import io
    >>> text = io.StringIO()
    >>> update = tqdm_progress(32, "coverage", file=text)
    >>> update(16); update(32)
    >>> "32/32" in text.getvalue()
    True
    """
    import importlib.util

    from tqdm.std import tqdm

    bar_type: type[tqdm[Any]] = tqdm
    # Without ipywidgets tqdm.auto would warn that the widget cannot be drawn: keep text.
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm as auto_tqdm

        bar_type = auto_tqdm
    options = {"disable": False, **tqdm_options}
    bar = bar_type(total=total, desc=desc, unit=unit, **options)

    def update(done: int) -> None:
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update
