"""Benchmarks: each ``bench_*.py`` module has a ``main()`` printing a table against a peer."""
