"""The embedded Lào Cai demo scenario: file paths by name, and what in it is synthetic.

The files live in the repository's ``data/communes/`` folder, which the build ships inside
the wheel as the data subpackage ``coverage.demo_data`` (``package-dir`` in
``pyproject.toml``); they are found through :mod:`importlib.resources`, so an editable
install, a wheel and an sdist all find them. ``python scripts/make_demo_data.py`` rebuilds
them byte for byte; ``data/communes/README.md`` says what is real and what is synthetic in
each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from coverage.errors import DatasetError, MissingFileError
from coverage.i18n import message

DATA_PACKAGE = "coverage.demo_data"

_FILES = {
    "laocai_communes": "laocai_communes.geojson",
    "laocai_population": "laocai_population.tif",
    "laocai_terrain": "laocai_terrain.tif",
    "laocai_towers": "laocai_towers.csv",
}

SYNTHETIC = MappingProxyType(
    {
        "communes": "real names, official codes, areas and admin-centre points "
        "(vietnamadminunits, MIT); boundaries APPROXIMATE (Voronoi of commune centres)",
        "population": "SYNTHETIC (official area x seeded random density; laocai_population.tif "
        "spreads it toward each commune's valleys and centre, tagged synthetic=yes)",
        "terrain": "SYNTHETIC (seeded fractal relief shaped like Hoàng Liên Sơn and the "
        "Red River valley; not a real DEM)",
        "towers": "SYNTHETIC (seeded sites for Viettel, VinaPhone, MobiFone, Vietnamobile; "
        "not real operator data)",
    }
)


def available() -> list[str]:
    """Names of the embedded datasets.

    Examples
    --------
    >>> available()
    ['laocai_communes', 'laocai_population', 'laocai_terrain', 'laocai_towers']
    """
    return sorted(_FILES)


def data_dir() -> Path:
    """The folder holding the demo files: the installed ``coverage.demo_data`` package.

    In an editable install (``pip install -e .``, what ``make setup`` does) this is the
    repository's ``data/communes/`` folder itself; from a wheel or an sdist, the copy
    installed beside the package. Raises :class:`~coverage.errors.MissingFileError` when
    phusong runs from a checkout that was never installed.

    Examples
    --------
    >>> (data_dir() / "README.md").is_file()
    True
    """
    try:
        folder = resources.files(DATA_PACKAGE)
    except ModuleNotFoundError:
        raise MissingFileError(
            message("errors.api.demo_package_missing", package=DATA_PACKAGE)
        ) from None
    return Path(str(folder))


def get_path(name: str) -> Path:
    """Path of an embedded dataset file, by name (see :func:`available`).

    Raises :class:`DatasetError` (a ``KeyError``) for an unknown name, listing the known
    ones, and :class:`~coverage.errors.MissingFileError` when the file is missing.

    Examples
    --------
    >>> get_path("laocai_terrain").name
    'laocai_terrain.tif'
    """
    try:
        filename = _FILES[name]
    except KeyError:
        raise DatasetError(
            message("errors.api.dataset_unknown", name=repr(name), listed=", ".join(available()))
        ) from None
    path = data_dir() / filename
    if not path.is_file():
        raise MissingFileError(message("errors.api.dataset_missing", name=repr(name), path=path))
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
    population: Path | None = None
    """Synthetic people per cell (``laocai_population.tif``, tagged ``synthetic=yes``): each
    commune's ``dan_so`` spread over it, so that the demo needs no cruder spreading by area."""

    def caption(self) -> str:
        """One line for maps and reports saying what is synthetic."""
        return "Demo data - " + "; ".join(
            f"{key}: {value}" for key, value in self.synthetic.items()
        )


def laocai_demo() -> DemoScenario:
    """The embedded Lào Cai scenario (99 real communes, synthetic terrain, towers and people).

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
        population=get_path("laocai_population"),
    )


__all__ = [
    "DATA_PACKAGE",
    "DatasetError",
    "DemoScenario",
    "available",
    "data_dir",
    "get_path",
    "laocai_demo",
]
