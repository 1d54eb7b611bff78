"""The embedded Lào Cai demo scenario: file paths by name, and what in it is synthetic.

The files live in the repository's ``data/communes/`` folder (found relative to this
package, so an editable install finds them) and are rebuilt, byte for byte, by
``python scripts/make_demo_data.py``. ``data/communes/README.md`` says what is real and
what is synthetic in each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from coverage.errors import CoverageError, MissingFileError

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "communes"

_FILES = {
    "laocai_communes": "laocai_communes.geojson",
    "laocai_terrain": "laocai_terrain.tif",
    "laocai_towers": "laocai_towers.csv",
}

SYNTHETIC = MappingProxyType(
    {
        "communes": "real names, official codes, areas and admin-centre points "
        "(vietnamadminunits, MIT); boundaries APPROXIMATE (Voronoi of commune centres)",
        "population": "SYNTHETIC (official area x seeded random density)",
        "terrain": "SYNTHETIC (seeded fractal relief shaped like Hoàng Liên Sơn and the "
        "Red River valley; not a real DEM)",
        "towers": "SYNTHETIC (seeded sites for Viettel, VinaPhone, MobiFone, Vietnamobile; "
        "not real operator data)",
    }
)


class DatasetError(CoverageError, KeyError):
    """An unknown dataset name."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def available() -> list[str]:
    """Names of the embedded datasets.

    Examples
    --------
    >>> available()
    ['laocai_communes', 'laocai_terrain', 'laocai_towers']
    """
    return sorted(_FILES)


def get_path(name: str) -> Path:
    """Path of an embedded dataset file, by name (see :func:`available`).

    Raises :class:`DatasetError` (a ``KeyError``) for an unknown name, listing the known
    ones, and :class:`~coverage.errors.MissingFileError` when the file is missing (for
    instance in an installation without the repository's ``data/`` folder).

    Examples
    --------
    >>> get_path("laocai_terrain").name
    'laocai_terrain.tif'
    """
    try:
        filename = _FILES[name]
    except KeyError:
        raise DatasetError(
            f"unknown dataset {name!r}; available: {', '.join(available())}"
        ) from None
    path = DATA_DIR / filename
    if not path.is_file():
        raise MissingFileError(
            f"dataset {name!r} not found at {path}. The demo data ships in the repository's "
            "data/communes/ folder: install phusong from a checkout (pip install -e .) or "
            "rebuild it with `python scripts/make_demo_data.py`."
        )
    return path


@dataclass(frozen=True)
class DemoScenario:
    """Paths of the Lào Cai demo files, the radius it is run with, and what in it is synthetic."""

    communes: Path
    terrain: Path
    towers: Path
    synthetic: MappingProxyType[str, str] = field(default_factory=lambda: SYNTHETIC, compare=False)
    radius_m: float = 15_000.0
    """Largest distance computed around each site, m: the scenario's own (``phusong demo``
    and :func:`coverage.demo.run_demo` use it unless told otherwise), shorter than the
    library's :data:`coverage.settings.RADIUS_M` so that the whole demo runs quickly."""

    def caption(self) -> str:
        """One line for maps and reports saying what is synthetic."""
        return "Demo data - " + "; ".join(
            f"{key}: {value}" for key, value in self.synthetic.items()
        )


def laocai_demo() -> DemoScenario:
    """The embedded Lào Cai scenario (99 real communes, synthetic terrain and towers).

    Examples
    --------
    >>> demo = laocai_demo()
    >>> demo.terrain.name, sorted(demo.synthetic), demo.radius_m
    ('laocai_terrain.tif', ['communes', 'population', 'terrain', 'towers'], 15000.0)
    """
    return DemoScenario(
        communes=get_path("laocai_communes"),
        terrain=get_path("laocai_terrain"),
        towers=get_path("laocai_towers"),
    )


__all__ = ["DATA_DIR", "DatasetError", "DemoScenario", "available", "get_path", "laocai_demo"]
