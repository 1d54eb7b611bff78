"""ITM's environment: the nine inputs besides the path and the terminals, as one value.

:class:`ItmEnvironment` holds polarization, ground constants, refractivity, radio
climate, mode of variability and the three quantiles that ITM 1.2.2 takes besides the
profile (or the area-mode terrain), the antenna heights and the frequency. It is
checked once, when built, against ITM's own limits
(:func:`coverage.physics.itm.core.environment_error`), and every Python door of ITM
takes it as one keyword, ``itm=``: :func:`coverage.physics.itm.p2p.itm_p2p_loss`,
:func:`coverage.physics.itm.area.itm_area_loss`,
:func:`coverage.radial.itm_grid.itm_site_path_loss`,
:func:`coverage.radial.itm_native.itm_native_path_loss`,
:func:`coverage.radial.path_loss.site_path_loss` and :func:`coverage.model.predict`.

Defaults for Lào Cai
--------------------
Radio climate 2, *continental subtropical*. ITM's seven climates are CCIR's (NTIA
Report 82-100, sec. 2): 1 equatorial (Congo; hot and humid all year, roughly 10° N to
10° S), 2 continental subtropical (Sudan; hot, with a marked wet and dry season),
3 maritime subtropical (west coast of Africa), 4 desert, 5 continental temperate,
6 and 7 maritime temperate. Lào Cai (22-23° N, inland, 100-3,100 m) has a monsoon
climate with a wet summer (May-September) and a cool dry winter: a seasonal inland
climate outside the equatorial belt, which is climate 2, not 1.

Ground epsilon 15, sigma 0.005 S/m: ITM's "average ground" (NTIA Report 82-100,
table of ground constants; the same values SPLAT! lists for farmland and forest), which
fits the province's forested and terraced hill slopes; poor rocky ground (4, 0.001)
changes a 20 km mountain-path prediction by at most about 0.3 dB (tested).

Surface refractivity N_0 = 301 N-units, ITM's reference atmosphere (effective earth
radius factor 4/3 at sea level). N_0 is a sea-level value: ITM itself lowers it with
the mean path elevation, N_s = N_0 exp(-h / 9460 m) [TN101, Eq 4.3]: about 285-298
N-units over valleys at 100-500 m, 256 at Sa Pa's 1,500 m; paths averaging above about
1,760 m fall below 250 and carry ITM's SURFACE_REFRACTIVITY warning, as they should.
Humid monsoon air has a higher refractivity, and the ITS guidance on ITM suggests 320
for continental subtropical climates; between 301 and 320 the predicted loss on 20 km
mountain paths moves by at most about 0.4 dB (median 0.1 dB, tested), far below the
model's 8-15 dB error against drive tests, so the reference value is kept; override
it with ``ItmEnvironment(n0=320.0)``.

Vertical polarization (cellular antennas). Mode of variability 12 (mobile +
point-to-point: ITM's advice when the terrain profile is known, since location
variability is then deterministic) at 50 % time, location and situation: the median
loss. The area mode, which knows no profile, defaults to mode 2
(:data:`coverage.physics.itm.area.AREA_ENVIRONMENT`).

Examples
--------
>>> lao_cai = ItmEnvironment()
>>> lao_cai.climate.name, lao_cai.polarization, lao_cai.mdvar
('CONTINENTAL_SUBTROPICAL', 'vertical', 12)
>>> lao_cai.replace(n0=320.0).n0
320.0
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from coverage.errors import ModelRangeError
from coverage.i18n import message
from coverage.physics.itm.core import (
    ERR_CLIMATE,
    ERR_DELTA_H,
    ERR_DISTANCE,
    ERR_EFFECTIVE_EARTH,
    ERR_EPSILON,
    ERR_FREQUENCY,
    ERR_GROUND_IMPEDANCE,
    ERR_LOCATION,
    ERR_MDVAR,
    ERR_NONE,
    ERR_POLARIZATION,
    ERR_PROFILE,
    ERR_REFRACTIVITY,
    ERR_RX_HEIGHT,
    ERR_RX_SITING,
    ERR_SIGMA,
    ERR_SITUATION,
    ERR_SURFACE_REFRACTIVITY_LARGE,
    ERR_SURFACE_REFRACTIVITY_SMALL,
    ERR_TIME,
    ERR_TX_HEIGHT,
    ERR_TX_SITING,
    environment_error,
    input_check,
)

__all__ = [
    "LAO_CAI_CLIMATE",
    "ItmEnvironment",
    "RadioClimate",
    "as_code",
    "as_environment",
    "raise_for_error",
]


class RadioClimate(IntEnum):
    """ITM's radio climates (CCIR classification, NTIA Report 82-100)."""

    EQUATORIAL = 1
    CONTINENTAL_SUBTROPICAL = 2
    MARITIME_SUBTROPICAL = 3
    DESERT = 4
    CONTINENTAL_TEMPERATE = 5
    MARITIME_TEMPERATE_OVER_LAND = 6
    MARITIME_TEMPERATE_OVER_SEA = 7


#: Lào Cai's radio climate; see the module docstring for why.
LAO_CAI_CLIMATE = RadioClimate.CONTINENTAL_SUBTROPICAL

_POLARIZATIONS: Mapping[str, int] = {"horizontal": 0, "vertical": 1}
_CLIMATES: Mapping[str, int] = {c.name.lower(): int(c) for c in RadioClimate}
_FLOATS = ("epsilon", "sigma", "n0", "time_pct", "location_pct", "situation_pct")

# error code -> (parameter, ITM's valid range, what to do): message ids
_ERRORS: Mapping[int, tuple[str, str, str | None]] = {
    ERR_TX_HEIGHT: ("h_tx_m", "errors.itm.valid_tx_height", "errors.itm.fix_tx_height"),
    ERR_RX_HEIGHT: ("h_rx_m", "errors.itm.valid_rx_height", "errors.itm.fix_rx_height"),
    ERR_CLIMATE: ("climate", "errors.itm.valid_climate", "errors.itm.fix_climate"),
    ERR_REFRACTIVITY: ("n0", "errors.itm.valid_refractivity", "errors.itm.fix_refractivity"),
    ERR_FREQUENCY: ("frequency_mhz", "errors.itm.valid_frequency", "errors.itm.fix_frequency"),
    ERR_POLARIZATION: ("polarization", "errors.itm.valid_polarization", None),
    ERR_EPSILON: ("epsilon", "errors.itm.valid_epsilon", "errors.itm.fix_epsilon"),
    ERR_SIGMA: ("sigma", "errors.itm.valid_sigma", "errors.itm.fix_sigma"),
    ERR_MDVAR: ("mdvar", "errors.itm.valid_mdvar", None),
    ERR_SITUATION: ("situation_pct", "errors.itm.valid_percent", None),
    ERR_TIME: ("time_pct", "errors.itm.valid_percent", None),
    ERR_LOCATION: ("location_pct", "errors.itm.valid_percent", None),
    ERR_PROFILE: ("profile_elevations_m / step_m", "errors.itm.valid_profile", None),
    ERR_DISTANCE: ("distance_km", "errors.itm.valid_distance", None),
    ERR_DELTA_H: ("delta_h_m", "errors.itm.valid_delta_h", "errors.itm.fix_delta_h"),
    ERR_TX_SITING: ("tx_siting", "errors.itm.valid_siting", None),
    ERR_RX_SITING: ("rx_siting", "errors.itm.valid_siting", None),
}
_DERIVED_ERRORS: Mapping[int, str] = {
    ERR_SURFACE_REFRACTIVITY_SMALL: "errors.itm.surface_refractivity_small",
    ERR_SURFACE_REFRACTIVITY_LARGE: "errors.itm.surface_refractivity_large",
    ERR_EFFECTIVE_EARTH: "errors.itm.effective_earth",
    ERR_GROUND_IMPEDANCE: "errors.itm.ground_impedance",
}


def raise_for_error(error: int, values: Mapping[str, object]) -> None:
    """Raise :class:`ModelRangeError` for a non-zero ITM error code from a kernel."""
    if error == ERR_NONE:
        return
    if error in _ERRORS:
        name, valid_id, fix_id = _ERRORS[error]
        value = values.get(name.split(" ")[0], "?")
        valid = message(valid_id)
        hint = f"; {message(fix_id, province='Lào Cai')}" if fix_id else ""
        raise ModelRangeError(
            message("errors.itm.out_of_range", name=name, value=repr(value), valid=valid, hint=hint)
        )
    reason = (
        message(_DERIVED_ERRORS[error])
        if error in _DERIVED_ERRORS
        else message("errors.itm.error_code", code=error)
    )
    raise ModelRangeError(message("errors.itm.cannot_compute", reason=reason, inputs=dict(values)))


def as_code(value: object, name: str, codes: Mapping[str, int], valid: str) -> int:
    """An ITM enumeration given by name (case-insensitive) or by its integer code."""
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        if key in codes:
            return codes[key]
        raise ModelRangeError(
            message("errors.itm.not_one_of", name=name, value=repr(value), valid=valid)
        )
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ModelRangeError(
            message("errors.itm.must_be_one_of", name=name, value=repr(value), valid=valid)
        )
    return int(value)


def _finite(value: object, name: str) -> float:
    """``value`` as a finite float, or a ModelRangeError naming the ITM input."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ModelRangeError(
            message("errors.itm.not_a_number", name=name, value=repr(value))
        ) from None
    if not math.isfinite(number):
        raise ModelRangeError(message("errors.itm.not_finite", name=name, value=repr(value)))
    return number


@dataclass(frozen=True)
class ItmEnvironment:
    """ITM 1.2.2's environmental inputs, checked against ITM's limits when built.

    Defaults are Lào Cai's (see the module docstring for the sources). Values are
    normalised: polarization to its name, climate to :class:`RadioClimate`, numbers to
    float, so that ``ItmEnvironment(polarization=1) == ItmEnvironment()``.

    Attributes
    ----------
    polarization
        ``"vertical"`` (cellular antennas) or ``"horizontal"``; 1 or 0 accepted.
    epsilon
        Relative permittivity of the ground (>= 1); 15 is ITM's average ground.
    sigma
        Ground conductivity, S/m (> 0); 0.005 is ITM's average ground.
    n0
        Surface refractivity reduced to sea level, N-units (250-400); 301 is ITM's
        reference atmosphere.
    climate
        Radio climate 1..7, a :class:`RadioClimate` or its name (``"desert"``).
    mdvar
        Mode of variability: 0 single message, 1 accidental, 2 mobile, 3 broadcast;
        +10 removes location variability (point-to-point), +20 situation variability.
    time_pct, location_pct, situation_pct
        Quantiles, strictly between 0 and 100 %.

    Raises
    ------
    ModelRangeError
        A value outside ITM's limits; the message names the parameter and its range.

    Examples
    --------
    >>> ItmEnvironment(climate="desert", time_pct=90).climate
    <RadioClimate.DESERT: 4>
    >>> ItmEnvironment(n0=200.0)
    Traceback (most recent call last):
    ...
    coverage.errors.ModelRangeError: ITM input n0=200.0 is outside ITM's valid range: \
250 to 400 N-units; 301 is ITM's reference atmosphere
    """

    polarization: str | int = "vertical"
    epsilon: float = 15.0
    sigma: float = 0.005
    n0: float = 301.0
    climate: RadioClimate | str | int = LAO_CAI_CLIMATE
    mdvar: int = 12
    time_pct: float = 50.0
    location_pct: float = 50.0
    situation_pct: float = 50.0

    def __post_init__(self) -> None:
        given = dataclasses.asdict(self)
        pol = as_code(self.polarization, "polarization", _POLARIZATIONS, "'horizontal', 'vertical'")
        clim = as_code(
            self.climate, "climate", _CLIMATES, f"{sorted(_CLIMATES)}{message('errors.or')}1..7"
        )
        mode = as_code(self.mdvar, "mdvar", {}, "0..3, 10..13, 20..23, 30..33")
        numbers = {name: _finite(given[name], name) for name in _FLOATS}
        error = environment_error(
            clim, numbers["n0"], pol, numbers["epsilon"], numbers["sigma"], mode,
            numbers["time_pct"], numbers["location_pct"], numbers["situation_pct"],
        )  # fmt: skip
        raise_for_error(int(error), given)
        normalised = {
            "polarization": "vertical" if pol == 1 else "horizontal",
            "climate": RadioClimate(clim),
            "mdvar": mode,
            **numbers,
        }
        for name, value in normalised.items():
            object.__setattr__(self, name, value)

    def replace(self, **changes: object) -> ItmEnvironment:
        """A copy with some fields changed, checked again.

        Examples
        --------
        >>> ItmEnvironment().replace(epsilon=4.0, sigma=0.001).sigma   # poor ground
        0.001
        """
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @property
    def kernel_args(self) -> tuple[int, float, float, float, int, int, float, float, float]:
        """The numba kernels' environment arguments, in their order.

        ``(polarization, epsilon, sigma, n0, climate, mdvar, time_pct, location_pct,
        situation_pct)``, as :func:`coverage.physics.itm.p2p.itm_p2p_point` takes them
        after the frequency.
        """
        return (
            _POLARIZATIONS[str(self.polarization)], float(self.epsilon), float(self.sigma),
            float(self.n0), int(self.climate), int(self.mdvar), float(self.time_pct),
            float(self.location_pct), float(self.situation_pct),
        )  # fmt: skip

    def checked_link(
        self, *, h_tx_m: object, h_rx_m: object, frequency_mhz: object
    ) -> tuple[float, float, float]:
        """Antenna heights and frequency as finite floats, within ITM's limits.

        ``(h_tx_m, h_rx_m, frequency_mhz)``: the kernels' arguments before
        :attr:`kernel_args`.

        Raises
        ------
        ModelRangeError
            A value outside ITM's limits, named with its range and the fix.

        Examples
        --------
        >>> ItmEnvironment().checked_link(h_tx_m=30, h_rx_m=1.5, frequency_mhz=900)
        (30.0, 1.5, 900.0)
        """
        given = {"h_tx_m": h_tx_m, "h_rx_m": h_rx_m, "frequency_mhz": frequency_mhz}
        h_tx, h_rx, frequency = (_finite(value, name) for name, value in given.items())
        pol, epsilon, sigma, n0, climate, mdvar, time, location, situation = self.kernel_args
        _warnings, error = input_check(
            h_tx, h_rx, climate, time, location, situation, n0, frequency, pol, epsilon, sigma,
            mdvar,
        )  # fmt: skip
        raise_for_error(int(error), given)
        return h_tx, h_rx, frequency


def as_environment(
    itm: ItmEnvironment | None, *, default: ItmEnvironment | None = None
) -> ItmEnvironment:
    """``itm``, or ``default`` (Lào Cai's :class:`ItmEnvironment`) when it is None.

    Raises
    ------
    TypeError
        ``itm`` is something else (a dict of options, say): build an ItmEnvironment.
    """
    if itm is None:
        return ItmEnvironment() if default is None else default
    if not isinstance(itm, ItmEnvironment):
        raise TypeError(
            message("errors.itm.not_an_environment", kind=type(itm).__name__, itm=repr(itm))
        )
    return itm
