"""Run the benchmarks: ``python -m benchmarks [name ...]``.

Without names, runs ``main()`` of every ``benchmarks/bench_*.py`` in alphabetical order;
with names (``viewshed`` or ``bench_viewshed``), only those.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def available() -> list[str]:
    """Module names of the benchmarks, e.g. ``["bench_engine", "bench_viewshed"]``."""
    return sorted(path.stem for path in Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str] | None = None) -> int:
    names = available()
    wanted = argv if argv is not None else sys.argv[1:]
    if wanted:
        chosen = []
        for name in wanted:
            module = name if name.startswith("bench_") else f"bench_{name}"
            if module not in names:
                print(f"unknown benchmark {name!r}; available: {', '.join(names)}", file=sys.stderr)
                return 2
            chosen.append(module)
        names = chosen
    for name in names:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main()
        print(f"[{name} took {time.perf_counter() - started:.1f} s]", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
