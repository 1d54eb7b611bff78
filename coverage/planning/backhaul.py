"""Microwave backhaul for proposed sites: the best clear link to a mast or a fibre point.

For each proposed site, :func:`backhaul_links` looks at every partner within the hop
length (existing masts of the site's operator, or every mast in a shared plan; fibre
points for anyone), samples the terrain profile between them
(:meth:`coverage.terrain.Terrain.sample`, bilinear, one sample per terrain cell), and
computes the least clearance of the first Fresnel zone along it at ``k = 4/3`` and at
``k = 2/3``, earth bulge included (:mod:`coverage.physics.fresnel`). A link passes when
both criteria hold (by default at least 0.6 F1 at 4/3 and at least grazing at 2/3, the
engineering form of ITU-R P.530-18 §2.2.2.1). Of the passing partners the **shortest**
link is chosen: a shorter hop fades less and needs smaller dishes. Where none passes and
``relay=True``, one relay hop is looked for: a mast of ``relay_height_m`` on the highest
terrain cell of each ``relay_spacing_m`` block within the hop length of the site; the
``relay_candidates`` highest of those that can also reach a partner are tried, and the
relay whose two hops both pass with the least total length is proposed.

Defaults: hops up to :data:`DEFAULT_MAX_HOP_M` (30 km, the practical reach of 7 GHz
links in the mountains); :data:`DEFAULT_LINK_FREQUENCY_MHZ` 7 GHz (for short hops,
15 GHz gives a Fresnel zone 1.46 times narrower: pass ``frequency_mhz=15_000``).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from coverage.crs import WGS84, require_crs, transform_xy
from coverage.errors import OutsideGridWarning, SchemaError
from coverage.i18n import message
from coverage.operators import normalise_operator
from coverage.physics.fresnel import (
    MEDIAN_CLEARANCE_F1,
    MEDIAN_K_FACTOR,
    SUBREFRACTIVE_CLEARANCE_F1,
    SUBREFRACTIVE_K_FACTOR,
    worst_clearance_f1,
)
from coverage.settings import MAX_HOP_M
from coverage.terrain import Terrain, check_points_on_terrain

logger = logging.getLogger(__name__)

__all__ = [
    "BACKHAUL_COLUMNS",
    "DEFAULT_LINK_FREQUENCY_MHZ",
    "DEFAULT_MAX_HOP_M",
    "DEFAULT_RELAY_CANDIDATES",
    "DEFAULT_RELAY_HEIGHT_M",
    "DEFAULT_RELAY_SPACING_M",
    "backhaul_links",
]

DEFAULT_MAX_HOP_M = MAX_HOP_M
"""Longest microwave hop considered, m."""

DEFAULT_LINK_FREQUENCY_MHZ = 7_000.0
"""Link frequency, MHz (the 7 GHz band of long rural hops)."""

DEFAULT_RELAY_HEIGHT_M = 30.0
"""Antenna height of a proposed relay mast above ground, m."""

DEFAULT_RELAY_SPACING_M = 500.0
"""Side of the blocks whose highest cell is a relay candidate, m."""

DEFAULT_RELAY_CANDIDATES = 64
"""How many of the highest relay candidates around a site are tried."""

MIN_LINK_M = 1.0
"""A partner closer than this is the site's own mast (a co-location host), not a link."""

_SAMPLES_PER_CHUNK = 2_000_000  # profile samples evaluated at once (~16 MB per array)

BACKHAUL_COLUMNS = (
    "backhaul_partner",
    "backhaul_partner_kind",
    "backhaul_hops",
    "backhaul_distance_km",
    "backhaul_clearance_f1_k43",
    "backhaul_clearance_f1_k23",
    "backhaul_ok",
    "backhaul_relay_lon",
    "backhaul_relay_lat",
)
"""Columns of :func:`backhaul_links`: partner id (mast ``site_id`` or fibre ``point_id``;
for a failing site, the partner that came closest; None when nothing is in reach), its
kind (``"mast"`` or ``"fibre"``), hops (1 direct, 2 through a relay, 0 no link in reach),
total length (km), least clearance over the hops in first-Fresnel radii at k = 4/3 and
k = 2/3, whether every criterion holds, and the relay's position (EPSG:4326; NaN when
direct)."""


@dataclass(frozen=True)
class _Ends:
    """Link ends in the terrain's CRS: position, antenna height above sea level, labels."""

    x: np.ndarray
    y: np.ndarray
    antenna_m: np.ndarray
    ids: np.ndarray
    kinds: np.ndarray
    operators: np.ndarray


@dataclass(frozen=True)
class _Criteria:
    frequency_mhz: float
    obstruction_height_m: float
    min_k43: float
    min_k23: float

    def passes(self, k43: np.ndarray, k23: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.asarray((k43 >= self.min_k43) & (k23 >= self.min_k23))

    def margin(self, k43: np.ndarray, k23: np.ndarray) -> np.ndarray:
        """How far the worse criterion is met (negative: missed); -inf when unknown."""
        value = np.minimum(k43 - self.min_k43, k23 - self.min_k23)
        return np.where(np.isnan(value), -np.inf, value)


def backhaul_links(
    sites: gpd.GeoDataFrame,
    terrain: Terrain,
    *,
    masts: gpd.GeoDataFrame | None = None,
    fibre: gpd.GeoDataFrame | None = None,
    shared: bool = False,
    max_hop_m: float = DEFAULT_MAX_HOP_M,
    frequency_mhz: float = DEFAULT_LINK_FREQUENCY_MHZ,
    height_column: str = "antenna_height_m",
    relay: bool = True,
    relay_height_m: float = DEFAULT_RELAY_HEIGHT_M,
    relay_spacing_m: float = DEFAULT_RELAY_SPACING_M,
    relay_candidates: int = DEFAULT_RELAY_CANDIDATES,
    obstruction_height_m: float = 0.0,
    min_clearance_k43: float = MEDIAN_CLEARANCE_F1,
    min_clearance_k23: float = SUBREFRACTIVE_CLEARANCE_F1,
) -> pd.DataFrame:
    """The best line-of-sight microwave link from each site to a mast or a fibre point.

    Parameters
    ----------
    sites
        Proposed sites: points (any CRS) with ``height_column`` (antenna height above
        ground, m), ``operator`` (unless ``shared``) and ideally ``site_id``.
    terrain
        Elevation covering the sites, the partners and the paths between them.
    masts
        Existing masts (a tower list: ``site_id``, ``operator``, ``height_column``).
    fibre
        Fibre points (:func:`coverage.io.fibre.read_fibre_points`: ``point_id``,
        ``antenna_height_m``); any operator may link to them.
    shared
        A shared plan: any mast may serve any site; otherwise only masts of the site's
        own operator.
    max_hop_m
        Longest hop, m.
    frequency_mhz
        Link frequency, MHz.
    height_column
        Antenna height column of ``sites`` and ``masts``, m above ground.
    relay
        Propose one relay hop for sites with no clear direct link.
    relay_height_m, relay_spacing_m, relay_candidates
        Relay mast height (m above ground), the block size whose highest cell is a relay
        candidate (m), and how many of the highest candidates are tried per site.
    obstruction_height_m
        Trees or buildings on the path, added to the terrain, m.
    min_clearance_k43, min_clearance_k23
        Least clearance, in first-Fresnel radii, at k = 4/3 and at k = 2/3.

    Returns
    -------
    pandas.DataFrame
        On ``sites``' index, the columns :data:`BACKHAUL_COLUMNS`.

    Raises
    ------
    SchemaError
        No partner, a missing column, a negative or missing antenna height, a bad option.
    CRSError
        An input without a CRS.
    TerrainError
        A site outside the terrain (naming it).

    Examples
    --------
    >>> from affine import Affine
    >>> from shapely.geometry import Point
    >>> terrain = Terrain.from_array(np.full((200, 200), 500.0), crs="EPSG:32648",
    ...     transform=Affine(100, 0, 400_000, 0, -100, 2_520_000))
    >>> sites = gpd.GeoDataFrame({"site_id": ["NEW-1"], "operator": ["Viettel"],
    ...     "antenna_height_m": [30.0]}, geometry=[Point(405_000, 2_505_000)], crs=terrain.crs)
    >>> masts = gpd.GeoDataFrame({"site_id": ["VT-9"], "operator": ["Viettel"],
    ...     "antenna_height_m": [40.0]}, geometry=[Point(415_000, 2_505_000)], crs=terrain.crs)
    >>> links = backhaul_links(sites, terrain, masts=masts)
    >>> links[["backhaul_partner", "backhaul_distance_km", "backhaul_ok"]].values.tolist()
    [['VT-9', 10.0, True]]
    """
    criteria = _criteria(
        max_hop_m, frequency_mhz, relay_spacing_m, relay_candidates, relay_height_m,
        obstruction_height_m, min_clearance_k43, min_clearance_k23,
    )  # fmt: skip
    site_ends = _site_ends(sites, terrain, height_column=height_column, shared=shared)
    partners = _partner_ends(masts, fibre, terrain, height_column=height_column, shared=shared)
    allowed = _allowed(site_ends, partners, shared=shared)
    distance = np.hypot(
        site_ends.x[:, None] - partners.x[None, :], site_ends.y[:, None] - partners.y[None, :]
    )
    site_i, partner_j = np.nonzero(allowed & (distance >= MIN_LINK_M) & (distance <= max_hop_m))
    k43, k23, evaluated = _nearest_first(
        terrain, site_ends, partners, site_i, partner_j, distance, criteria
    )
    site_i, partner_j, k43, k23 = (
        site_i[evaluated],
        partner_j[evaluated],
        k43[evaluated],
        k23[evaluated],
    )
    out = _Result.empty(len(site_ends.x))
    passing = criteria.passes(k43, k23)
    # per site: passing links by length, then failing links by margin
    key = np.where(passing, distance[site_i, partner_j], np.inf)
    order = np.lexsort((-criteria.margin(k43, k23), key, site_i))
    for p in order[np.unique(site_i[order], return_index=True)[1]]:
        i, j = int(site_i[p]), int(partner_j[p])
        out.record(i, partners, j, hops=1, length_m=distance[i, j], k43=k43[p], k23=k23[p])
        out.ok[i] = passing[p]
    if relay:
        lattice = _relay_lattice(terrain, relay_spacing_m)
        for i in np.flatnonzero(~out.ok).tolist():
            found = _relay_for(
                i, site_ends, partners, allowed[i], terrain, lattice, criteria,
                max_hop_m=max_hop_m, relay_height_m=relay_height_m, keep=relay_candidates,
            )  # fmt: skip
            if found is not None:
                j, length_m, c43, c23, rx, ry = found
                out.record(i, partners, j, hops=2, length_m=length_m, k43=c43, k23=c23)
                out.ok[i] = True
                out.relay_x[i], out.relay_y[i] = rx, ry
    logger.info(
        message(
            "errors.planning.log_backhaul_linked",
            linked=int(out.ok.sum()),
            count=len(out.ok),
            relayed=int((out.hops == 2).sum()),
        )
    )
    return out.frame(sites.index, terrain)


# ------------------------------------------------------------------------------ inputs


def _criteria(
    max_hop_m: float,
    frequency_mhz: float,
    relay_spacing_m: float,
    relay_candidates: int,
    relay_height_m: float,
    obstruction_height_m: float,
    min_k43: float,
    min_k23: float,
) -> _Criteria:
    for name, value in (
        ("max_hop_m", max_hop_m),
        ("frequency_mhz", frequency_mhz),
        ("relay_spacing_m", relay_spacing_m),
        ("relay_candidates", relay_candidates),
    ):
        if not (math.isfinite(value) and value > 0):
            raise SchemaError(
                message("errors.planning.backhaul_not_positive", name=name, value=repr(value))
            )
    for name, value in (
        ("relay_height_m", relay_height_m),
        ("obstruction_height_m", obstruction_height_m),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise SchemaError(
                message("errors.planning.backhaul_negative_metres", name=name, value=repr(value))
            )
    return _Criteria(float(frequency_mhz), float(obstruction_height_m), min_k43, min_k23)


def _ids(frame: gpd.GeoDataFrame, column: str) -> np.ndarray:
    if column in frame.columns:
        return frame[column].astype(str).to_numpy()
    return np.array([str(i) for i in frame.index], dtype=object)


def _heights(frame: gpd.GeoDataFrame, column: str, ids: np.ndarray, what: str) -> np.ndarray:
    if column not in frame.columns:
        raise SchemaError(
            message(
                "errors.planning.backhaul_no_height_column",
                what=what,
                column=repr(column),
                columns=list(frame.columns),
            )
        )
    heights = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(heights) | (heights < 0)
    if bad.any():
        listed = ", ".join(f"{ids[k]} ({frame[column].iloc[k]})" for k in np.flatnonzero(bad)[:10])
        raise SchemaError(
            message(
                "errors.planning.backhaul_bad_height",
                count=int(bad.sum()),
                what=what,
                column=repr(column),
                listed=listed,
            )
        )
    return heights


def _xy(frame: gpd.GeoDataFrame, terrain: Terrain, what: str) -> tuple[np.ndarray, np.ndarray]:
    require_crs(frame.crs, source=what)
    points = frame.geometry.to_crs(terrain.crs)
    if not (points.geom_type == "Point").all():
        raise SchemaError(message("errors.planning.backhaul_not_points", what=what))
    return points.x.to_numpy(dtype=float), points.y.to_numpy(dtype=float)


def _operators(frame: gpd.GeoDataFrame, what: str, *, needed: bool) -> np.ndarray:
    if "operator" not in frame.columns:
        if needed:
            raise SchemaError(message("errors.planning.backhaul_no_operator", what=what))
        return np.full(len(frame), "", dtype=object)
    return np.array([normalise_operator(op) for op in frame["operator"]], dtype=object)


def _site_ends(
    sites: gpd.GeoDataFrame, terrain: Terrain, *, height_column: str, shared: bool
) -> _Ends:
    if len(sites) == 0:
        raise SchemaError(message("errors.planning.backhaul_no_sites"))
    ids = _ids(sites, "site_id")
    what = message("errors.planning.backhaul_sites")
    heights = _heights(sites, height_column, ids, what)
    x, y = _xy(sites, terrain, what)
    ground = check_points_on_terrain(terrain, x, y, labels=list(ids))
    operators = _operators(sites, what, needed=not shared)
    return _Ends(x, y, ground + heights, ids, np.full(len(ids), "site"), operators)


def _partner_ends(
    masts: gpd.GeoDataFrame | None,
    fibre: gpd.GeoDataFrame | None,
    terrain: Terrain,
    *,
    height_column: str,
    shared: bool,
) -> _Ends:
    parts = []
    for frame, kind, id_column, column in (
        (masts, "mast", "site_id", height_column),
        (fibre, "fibre", "point_id", "antenna_height_m"),
    ):
        if frame is None or len(frame) == 0:
            continue
        ids = _ids(frame, id_column)
        what = message(
            "errors.planning.backhaul_masts"
            if kind == "mast"
            else "errors.planning.backhaul_fibres"
        )
        heights = _heights(frame, column, ids, what)
        x, y = _xy(frame, terrain, what)
        operators = _operators(frame, what, needed=kind == "mast" and not shared)
        parts.append((x, y, heights, ids, np.full(len(ids), kind, dtype=object), operators))
    if not parts:
        raise SchemaError(message("errors.planning.backhaul_no_partner"))
    x, y, heights, ids, kinds, operators = (np.concatenate(p) for p in zip(*parts, strict=True))
    ground = terrain.sample(x, y)
    outside = ~np.isfinite(ground)
    if outside.any():
        listed = ", ".join(map(str, ids[outside][:10]))
        warnings.warn(
            message(
                "errors.planning.backhaul_partners_outside", count=int(outside.sum()), listed=listed
            ),
            OutsideGridWarning,
            stacklevel=3,
        )
        if outside.all():
            raise SchemaError(message("errors.planning.backhaul_partners_all_outside"))
    keep = ~outside
    return _Ends(
        x[keep], y[keep], ground[keep] + heights[keep], ids[keep], kinds[keep], operators[keep]
    )


def _allowed(sites: _Ends, partners: _Ends, *, shared: bool) -> np.ndarray:
    """bool (sites, partners): which partner may carry which site's traffic."""
    fibre = partners.kinds == "fibre"
    if shared:
        return np.ones((len(sites.x), len(partners.x)), dtype=bool)
    same = sites.operators[:, None] == partners.operators[None, :]
    return np.asarray(same | fibre[None, :])


@dataclass
class _Result:
    """The chosen link per site, as arrays filled in place."""

    partner: np.ndarray
    kind: np.ndarray
    hops: np.ndarray
    length_m: np.ndarray
    k43: np.ndarray
    k23: np.ndarray
    ok: np.ndarray
    relay_x: np.ndarray
    relay_y: np.ndarray

    @classmethod
    def empty(cls, n: int) -> _Result:
        nan = np.full(n, np.nan)
        return cls(
            np.full(n, None, dtype=object), np.full(n, None, dtype=object),
            np.zeros(n, dtype=np.int64), nan.copy(), nan.copy(), nan.copy(),
            np.zeros(n, dtype=bool), nan.copy(), nan.copy(),
        )  # fmt: skip

    def record(
        self, i: int, partners: _Ends, j: int, *, hops: int, length_m: float, k43: float, k23: float
    ) -> None:
        self.partner[i], self.kind[i] = str(partners.ids[j]), str(partners.kinds[j])
        self.hops[i], self.length_m[i], self.k43[i], self.k23[i] = hops, length_m, k43, k23

    def frame(self, index: pd.Index, terrain: Terrain) -> pd.DataFrame:
        lon, lat = np.full(len(index), np.nan), np.full(len(index), np.nan)
        relayed = np.isfinite(self.relay_x)
        if relayed.any():
            lon[relayed], lat[relayed] = transform_xy(
                terrain.crs, WGS84, self.relay_x[relayed], self.relay_y[relayed]
            )
        values = (
            self.partner, self.kind, self.hops, np.round(self.length_m / 1000.0, 3), self.k43,
            self.k23, self.ok, lon, lat,
        )  # fmt: skip
        return pd.DataFrame(dict(zip(BACKHAUL_COLUMNS, values, strict=True)), index=index)


# ------------------------------------------------------------------------------ profiles


def _clearances(
    terrain: Terrain,
    a: tuple[np.ndarray, np.ndarray, np.ndarray],
    b: tuple[np.ndarray, np.ndarray, np.ndarray],
    criteria: _Criteria,
) -> tuple[np.ndarray, np.ndarray]:
    """Least clearance (F1 fraction) at k = 4/3 and 2/3 of links a[i] -> b[i].

    Ends are (x, y, antenna height above sea level). Profiles get one sample per terrain
    cell of length; links are grouped by sample count (rounded up to a power of two, so
    a profile is sampled at most twice as finely as the terrain) and evaluated in chunks.
    """
    ax, ay, ah = a
    bx, by, bh = b
    length = np.hypot(bx - ax, by - ay)
    k43 = np.full(len(length), np.nan)
    k23 = np.full(len(length), np.nan)
    if len(length) == 0:
        return k43, k23
    cells = np.ceil(length / terrain.resolution_m).astype(np.int64) + 1
    samples = 2 ** np.ceil(np.log2(np.maximum(cells, 3))).astype(np.int64) + 1
    for n in np.unique(samples):
        members = np.flatnonzero(samples == n)
        step = max(1, _SAMPLES_PER_CHUNK // int(n))
        t = np.linspace(0.0, 1.0, int(n))
        for start in range(0, len(members), step):
            m = members[start : start + step]
            x = ax[m, None] + (bx[m] - ax[m])[:, None] * t
            y = ay[m, None] + (by[m] - ay[m])[:, None] * t
            profile = terrain.sample(x, y)
            for out, k in ((k43, MEDIAN_K_FACTOR), (k23, SUBREFRACTIVE_K_FACTOR)):
                out[m] = worst_clearance_f1(
                    profile,
                    length[m],
                    ah[m],
                    bh[m],
                    criteria.frequency_mhz,
                    k_factor=k,
                    obstruction_height_m=criteria.obstruction_height_m,
                )
    return k43, k23


def _nearest_first(
    terrain: Terrain,
    sites: _Ends,
    partners: _Ends,
    site_i: np.ndarray,
    partner_j: np.ndarray,
    distance: np.ndarray,
    criteria: _Criteria,
    *,
    batch: int = 8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clearances of the links (site_i, partner_j), nearest partners first.

    Each round evaluates, for every site without a passing link yet, its next ``batch``
    nearest partners; a site stops at the first round with a passing link (the shortest
    passing link is in it). Returns the clearances and which links were evaluated; a
    site with no passing link has all of its links evaluated, so its nearest miss can be
    reported.
    """
    evaluated = np.zeros(len(site_i), dtype=bool)
    k43 = np.full(len(site_i), np.nan)
    k23 = np.full(len(site_i), np.nan)
    length = distance[site_i, partner_j]
    order = np.lexsort((length, site_i))
    first_of_site = np.searchsorted(site_i[order], site_i[order], side="left")
    place = np.empty(len(order), dtype=np.int64)
    place[order] = np.arange(len(order)) - first_of_site  # 0 = nearest partner of its site
    done = np.zeros(len(sites.x), dtype=bool)
    for start in range(0, int(place.max(initial=-1)) + 1, batch):
        links = np.flatnonzero((place >= start) & (place < start + batch) & ~done[site_i])
        if len(links) == 0:
            break
        i, j = site_i[links], partner_j[links]
        evaluated[links] = True
        k43[links], k23[links] = _clearances(
            terrain,
            (sites.x[i], sites.y[i], sites.antenna_m[i]),
            (partners.x[j], partners.y[j], partners.antenna_m[j]),
            criteria,
        )
        done[i[criteria.passes(k43[links], k23[links])]] = True
    return k43, k23, evaluated


# -------------------------------------------------------------------------------- relays


def _relay_lattice(terrain: Terrain, spacing_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, y, ground (m) of the highest cell in each ``spacing_m`` block of the terrain."""
    block = max(1, int(round(spacing_m / terrain.resolution_m)))
    rows, cols = terrain.shape
    r_blocks, c_blocks = -(-rows // block), -(-cols // block)
    padded = np.full((r_blocks * block, c_blocks * block), -np.inf)
    elevation = np.where(np.isfinite(terrain.elevation_m), terrain.elevation_m, -np.inf)
    padded[:rows, :cols] = elevation
    blocks = padded.reshape(r_blocks, block, c_blocks, block).transpose(0, 2, 1, 3)
    flat = blocks.reshape(r_blocks, c_blocks, block * block)
    best = flat.argmax(axis=2)
    height = np.take_along_axis(flat, best[..., None], axis=2)[..., 0]
    block_r, block_c = np.indices((r_blocks, c_blocks))
    row = block_r * block + best // block
    col = block_c * block + best % block
    valid = np.isfinite(height)
    x, y = terrain.xy(row[valid].astype(float), col[valid].astype(float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float), height[valid]


def _relay_for(
    i: int,
    sites: _Ends,
    partners: _Ends,
    allowed: np.ndarray,
    terrain: Terrain,
    lattice: tuple[np.ndarray, np.ndarray, np.ndarray],
    criteria: _Criteria,
    *,
    max_hop_m: float,
    relay_height_m: float,
    keep: int,
) -> tuple[int, float, float, float, float, float] | None:
    """(partner, total length, clearances, relay x, y) of the shortest clear relay route."""
    sx, sy = sites.x[i], sites.y[i]
    near = np.flatnonzero(allowed & (np.hypot(partners.x - sx, partners.y - sy) <= 2 * max_hop_m))
    if len(near) == 0:
        return None
    lx, ly, lz = lattice
    hop1 = np.hypot(lx - sx, ly - sy)
    ring = np.flatnonzero((hop1 >= MIN_LINK_M) & (hop1 <= max_hop_m))
    if len(ring) == 0:
        return None
    to_partner = np.hypot(
        lx[ring, None] - partners.x[near][None, :], ly[ring, None] - partners.y[near][None, :]
    )
    in_reach = (to_partner >= MIN_LINK_M) & (to_partner <= max_hop_m)
    ring = ring[in_reach.any(axis=1)]
    if len(ring) == 0:
        return None
    tried = ring[np.argsort(-lz[ring], kind="stable")[:keep]]
    relay_m = lz[tried] + relay_height_m
    n = len(tried)
    first43, first23 = _clearances(
        terrain,
        (np.full(n, sx), np.full(n, sy), np.full(n, sites.antenna_m[i])),
        (lx[tried], ly[tried], relay_m),
        criteria,
    )
    clear = np.flatnonzero(criteria.passes(first43, first23))
    if len(clear) == 0:
        return None
    r_grid, p_grid = np.meshgrid(clear, np.arange(len(near)), indexing="ij")
    r_pos, p_pos = r_grid.ravel(), p_grid.ravel()
    relay_idx, partner_idx = tried[r_pos], near[p_pos]
    hop2 = np.hypot(
        lx[relay_idx] - partners.x[partner_idx], ly[relay_idx] - partners.y[partner_idx]
    )
    reach = (hop2 >= MIN_LINK_M) & (hop2 <= max_hop_m)
    r_pos, p_pos, relay_idx, partner_idx, hop2 = (
        v[reach] for v in (r_pos, p_pos, relay_idx, partner_idx, hop2)
    )
    second43, second23 = _clearances(
        terrain,
        (lx[relay_idx], ly[relay_idx], relay_m[r_pos]),
        (partners.x[partner_idx], partners.y[partner_idx], partners.antenna_m[partner_idx]),
        criteria,
    )
    good = np.flatnonzero(criteria.passes(second43, second23))
    if len(good) == 0:
        return None
    total = hop1[relay_idx[good]] + hop2[good]
    best = good[int(np.argmin(total))]
    r = r_pos[best]
    return (
        int(partner_idx[best]),
        float(hop1[relay_idx[best]] + hop2[best]),
        float(min(first43[r], second43[best])),
        float(min(first23[r], second23[best])),
        float(lx[relay_idx[best]]),
        float(ly[relay_idx[best]]),
    )
