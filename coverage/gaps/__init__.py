"""Per-commune coverage and gap polygons: pure functions of a :class:`CoverageResult`.

Nothing here opens a file. What lives here, bottom-up (each module may import those above
it, and the rooms ``tests/test_layout.py`` allows ``gaps``):

``masks``
    covered cells per operator and technology; operator names as labels (:func:`slug`,
    ``NO_OPERATOR``, :func:`check_operator_names`)
``communes``
    :func:`commune_coverage`, the per-commune table, from additive sums over cells
    (:func:`commune_sums`, which tiles reduce) made into a table (:func:`commune_table`)
``pieces``
    contiguous uncovered areas, vectorised and cut along commune borders; the rows they
    make (``KIND_AREA``: one piece; ``KIND_SCATTERED``: a commune's small pieces together)
``attributes``
    what describes a piece: centroid, highest ground, pre-2025 commune, nearest sites
``polygons``
    :func:`gap_polygons`, the ranked gap list of one operator (or of nobody)
"""

from coverage.gaps.communes import COMMUNE_COLUMNS, commune_coverage, commune_sums, commune_table
from coverage.gaps.masks import NO_OPERATOR, check_operator_names, coverage_masks, slug
from coverage.gaps.pieces import KIND_AREA, KIND_SCATTERED
from coverage.gaps.polygons import gap_polygons

__all__ = [
    "COMMUNE_COLUMNS",
    "KIND_AREA",
    "KIND_SCATTERED",
    "NO_OPERATOR",
    "check_operator_names",
    "commune_coverage",
    "commune_sums",
    "commune_table",
    "coverage_masks",
    "gap_polygons",
    "slug",
]
