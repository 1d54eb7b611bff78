"""Site planning: candidate sites, their coverage sets, greedy and exact selection, sharing.

* :mod:`~coverage.planning.candidates`: candidate sites from three sources (co-location on
  other operators' masts, terrain high points in and around the gaps, the user's list);
* :mod:`~coverage.planning.matrix`: which uncovered people each candidate would cover,
  from the propagation model of :mod:`coverage.model` (never a distance buffer);
* :mod:`~coverage.planning.solvers`: lazy greedy (CELF) and the exact integer programme
  (HiGHS) on that matrix, each with a proven bound;
* :mod:`~coverage.planning.costs`: the cost table (new build, co-location);
* :mod:`~coverage.planning.backhaul`: the microwave link of each proposed site to a mast or a
  fibre point (first Fresnel zone clearance at k = 4/3 and 2/3, one relay hop);
* :mod:`~coverage.planning.sharing`: per-operator plans against one shared plan;
* :mod:`~coverage.planning.plan`: :func:`plan_sites`, the whole job, and :class:`SitePlan`.

It may import the bottom rooms, ``terrain``, ``grid``, ``crs``, ``names``, ``operators``,
``physics``, ``radial``, ``io``, ``zonal``, ``population``, ``model``, ``gaps`` and
``analysis``; nothing but ``cli`` imports it.
"""
