"""Longley-Rice ITM 1.2.2 (NTIA), as published: Hufford, *The ITS Irregular Terrain Model,
version 1.2.2: the Algorithm*, and NTIA Report 82-100.

``core`` holds the shared propagation kernels (``lrprop``, ``avar``), ``environment``
the nine environmental inputs as one checked value (:class:`ItmEnvironment`, Lào Cai's
defaults), ``p2p`` the point-to-point mode over a terrain profile (``fast`` its profile
analysis in a faster order of operations, equal up to rounding), ``area`` the
area-prediction mode. Pure numba/numpy: it may import :mod:`coverage.errors`,
:mod:`coverage.settings` and :mod:`coverage.validity` only.
"""
