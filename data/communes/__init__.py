"""The embedded Lào Cai demo files, shipped inside the wheel as ``coverage.demo_data``.

Read them through :mod:`coverage.datasets`; ``README.md`` here says what is real and what
is synthetic, and ``python scripts/make_demo_data.py`` rebuilds them.
"""
