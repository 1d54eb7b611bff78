"""Write a site plan's ranked proposals: XLSX, CSV, GeoJSON or GeoPackage, atomically.

Columns (:func:`coverage.plan_sites`, one row per proposed site and operator it carries):

==============================  ==============================================================
column                          meaning
==============================  ==============================================================
``plan``                        the operator planned for, or ``shared`` (neutral host)
``rank``                        1 = the site adding most people, in the solver's order
``site_id``                     new tower id (``viettel-001``; ``shared-001-viettel``)
``operator``                    the operator of this row (tower-list column)
``operators_served``            every operator the site carries, comma-separated
``lon``, ``lat``                position, EPSG:4326 degrees
``ground_m``                    ground elevation, m (the DEM's)
``antenna_height_m``            antenna height above ground, m
``technology``, ``frequency_mhz``, ``eirp_dbm``, ``azimuth_deg``, ``beamwidth_deg``,
``tilt_deg``                    the radio the plan computed with (tower-list columns)
``kind``                        ``new`` or ``co-location``
``source``                      candidate source: ``terrain``, ``co-location`` or ``user``
``candidate_id``                the candidate's id
``host_operator``, ``host_site_id``  the mast co-located on (empty for new sites)
``needs_structural_check``      the mast already carries three or more operators
``people_gained``               people the site brings signal to at its step
``cumulative_people``           people gained by this site and all ranked before it
``communes_served``             communes where the site brings signal to new people
``communes_of_interest_served`` of those, the remote communes of interest
``of_interest``                 true when it serves a commune of interest
``cost``, ``cumulative_cost``   the site's cost (cost table) and the running total
``backhaul_partner``            the best microwave link's other end: an existing mast's
                                ``site_id`` or a fibre ``point_id`` (for a site with no
                                passing link, the one that came closest; empty when none is
                                within the hop length or backhaul was not computed)
``backhaul_partner_kind``       ``mast`` or ``fibre``
``backhaul_hops``               1 direct, 2 through one proposed relay, 0 nothing in reach
``backhaul_distance_km``        the link's total length, km
``backhaul_clearance_f1_k43``   least clearance of the first Fresnel zone over the hops at
                                k = 4/3, in F1 radii (passes at 0.6 or more)
``backhaul_clearance_f1_k23``   the same at k = 2/3 (passes at 0 or more: grazing)
``backhaul_ok``                 every hop meets both criteria
``backhaul_relay_lon``,         the proposed relay mast (EPSG:4326; empty when direct)
``backhaul_relay_lat``
==============================  ==============================================================

The rows of one plan are a tower list (:func:`coverage.read_towers` reads the file):
appending them to the tower file applies the plan. No value is ever a live formula: in
XLSX, text is stored as text; in CSV, text starting with ``=``, ``+``, ``-`` or ``@`` is
prefixed with an apostrophe, as OWASP advises against CSV injection. CSV is UTF-8 with a
byte-order mark (Excel shows Vietnamese text).
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from coverage.errors import InputFileError, SchemaError
from coverage.i18n import Translator, message
from coverage.io.files import atomic_output
from coverage.io.spreadsheets import write_csv, write_xlsx

__all__ = ["PROPOSAL_SUFFIXES", "write_proposals"]

PROPOSAL_SUFFIXES = (".xlsx", ".csv", ".geojson", ".json", ".gpkg")
_FORMULA_START = ("=", "+", "-", "@")


def write_proposals(
    proposals: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    sharing: pd.DataFrame | None = None,
    offers: pd.DataFrame | None = None,
    lang: str = "en",
) -> Path:
    """Write proposals (and optionally the sharing table and co-location offers).

    XLSX: sheet ``proposals``, then ``sharing`` and ``co-location offers`` when given,
    named in ``lang`` (:mod:`coverage.i18n`; ``"vi"``: ``Trạm đề xuất``...). The columns
    keep their names in every language: a proposal list is also a tower list that
    ``phusong map --proposals`` and other tools read back.
    CSV: the proposals only. GeoJSON: the proposals as points. GeoPackage: layer
    ``proposals`` (plus the tables as attribute layers).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> frame = gpd.GeoDataFrame({"site_id": ["=1+1"], "rank": [1]},
    ...     geometry=gpd.points_from_xy([103.9], [22.4]), crs=4326)
    >>> out = write_proposals(frame, pathlib.Path(tempfile.mkdtemp()) / "p.csv")
    >>> out.read_text(encoding="utf-8-sig").splitlines()[1]
    "'=1+1,1,103.9,22.4"
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in PROPOSAL_SUFFIXES:
        raise InputFileError(
            message("errors.io.proposals_suffix", path=path, suffixes=", ".join(PROPOSAL_SUFFIXES))
        )
    geo = isinstance(proposals, gpd.GeoDataFrame) and proposals.crs is not None
    if suffix in (".geojson", ".json", ".gpkg") and not geo:
        raise SchemaError(message("errors.io.proposals_no_crs", path=path))
    table = pd.DataFrame(proposals.drop(columns="geometry", errors="ignore"))
    if geo and "lon" not in table:
        points = gpd.GeoSeries(proposals.geometry).to_crs(4326)
        table["lon"], table["lat"] = points.x.to_numpy(), points.y.to_numpy()
    with atomic_output(path, overwrite=overwrite) as tmp:
        if suffix == ".csv":
            write_csv(table, tmp)
        elif suffix == ".xlsx":
            t = Translator(lang)
            sheets = [(t("sheet.proposals"), table)]
            if sharing is not None:
                sheets.append((t("sheet.sharing"), sharing))
            if offers is not None:
                sheets.append((t("sheet.offers"), offers))
            write_xlsx(tmp, sheets)
        elif suffix == ".gpkg":
            gpd.GeoDataFrame(proposals).to_file(
                tmp, layer="proposals", driver="GPKG", engine="pyogrio"
            )
        else:
            gpd.GeoDataFrame(proposals).to_file(tmp, driver="GeoJSON", engine="pyogrio")
    return path
