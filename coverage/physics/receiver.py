"""The receiver side: coverage thresholds, and which power a transmitter's EIRP means.

A path loss turns an EIRP into a received power; whether that power is "coverage"
depends on what each technology's phones measure (GSM RxLev over the whole carrier,
UMTS CPICH RSCP over the pilot, LTE/NR RSRP over one resource element). This module
holds the default thresholds in those quantities and converts an EIRP into the same
quantity, so that received powers and thresholds are compared like with like. No path
loss here (see :mod:`coverage.physics.free_space` and its siblings), no geometry, no files.
"""

from __future__ import annotations

import math

import numpy as np

from coverage.i18n import message

__all__ = [
    "DEFAULT_THRESHOLDS_DBM",
    "MEASURED_QUANTITY",
    "measured_power_dbm",
    "rsrp_from_total_power_dbm",
]

DEFAULT_THRESHOLDS_DBM: dict[str, float] = {"2G": -95.0, "3G": -100.0, "4G": -110.0, "5G": -110.0}
"""Default outdoor coverage thresholds per technology, dBm, in each technology's own
measured quantity (what a phone reports and a drive test logs):

* ``"2G"`` (GSM): **RxLev**, the received power of the BCCH carrier over its 200 kHz
  (3GPP TS 45.008 §8.1.4: RXLEV 0 = below -110 dBm ... 63 = above -48 dBm). -95 dBm
  (RXLEV 15) is a usual planning level for reliable outdoor voice.
* ``"3G"`` (UMTS): **CPICH RSCP**, the received power of the pilot channel only
  (TS 25.133 §9.1.1, reported from -120 dBm). -100 dBm is a usual outdoor level.
* ``"4G"`` (LTE): **RSRP**, the average power of one cell-specific reference-signal
  resource element, 15 kHz (TS 36.214 §5.1.1; reported -140 to -44 dBm,
  TS 36.133 §9.1.4). -110 dBm leaves a margin over the roughly -120 dBm at which
  phones still attach.
* ``"5G"`` (NR): **SS-RSRP**, the same per-resource-element measure on the
  synchronisation signal block (TS 38.215 §5.1.1); -110 dBm like LTE.

These are common planning conventions, not standards: pass ``threshold_dbm`` to use an
operator's own levels. Convert a transmitter's EIRP with :func:`measured_power_dbm`
before comparing.
"""

MEASURED_QUANTITY: dict[str, str] = {
    "2G": "RxLev: total power of the 200 kHz BCCH carrier",
    "3G": "CPICH RSCP: power of the pilot channel only",
    "4G": "RSRP: power of one 15 kHz reference-signal resource element",
    "5G": "SS-RSRP: power of one synchronisation-signal resource element",
}
"""What each technology's threshold in :data:`DEFAULT_THRESHOLDS_DBM` measures."""


def rsrp_from_total_power_dbm(
    total_dbm: float | np.ndarray, n_resource_blocks: int = 100
) -> float | np.ndarray:
    """RSRP from a power spread evenly over ``N`` LTE/NR resource blocks, dBm.

    Each resource block has 12 subcarriers, so one resource element carries
    ``1 / (12 N)`` of the total (3GPP TS 36.211 §6.2; RSRP per TS 36.214 §5.1.1)::

        RSRP = P_total - 10 log10(12 N)

    For 20 MHz LTE (``N = 100``) that is ``P_total - 30.8`` dB.

    Parameters
    ----------
    total_dbm
        Total power over the channel bandwidth, dBm (EIRP or received).
    n_resource_blocks
        Resource blocks in the channel: LTE 6/15/25/50/75/100 for 1.4/3/5/10/15/20 MHz;
        NR e.g. 106 for 20 MHz at 15 kHz, 273 for 100 MHz at 30 kHz.

    Examples
    --------
    >>> from coverage.physics.receiver import rsrp_from_total_power_dbm
    >>> round(float(rsrp_from_total_power_dbm(46.0)), 1)
    15.2
    """
    if n_resource_blocks <= 0:
        raise ValueError(
            message("errors.physics.resource_blocks", n_resource_blocks=n_resource_blocks)
        )
    return np.asarray(total_dbm, dtype=float)[()] - 10.0 * math.log10(12 * n_resource_blocks)


def measured_power_dbm(
    eirp_dbm: float | np.ndarray,
    technology: str,
    *,
    eirp_is: str = "total",
    n_resource_blocks: int = 100,
    pilot_share_db: float = -10.0,
) -> float | np.ndarray:
    """Convert an EIRP into the power that ``technology``'s threshold measures, dBm.

    Say which power an EIRP means (``eirp_is``):

    * ``"total"``: the whole carrier's EIRP (what a licence or a tower list usually
      gives). 2G: unchanged (RxLev is the carrier power). 3G: plus ``pilot_share_db``
      (the CPICH commonly gets 10 % of the cell power, -10 dB; Holma & Toskala,
      *WCDMA for UMTS*, 5th ed., §12.2). 4G/5G: minus ``10 log10(12 N)``
      (:func:`rsrp_from_total_power_dbm`).
    * ``"measured"``: already per BCCH carrier / CPICH / resource element
      (e.g. an RF team's "RS EIRP"); returned unchanged.

    Examples
    --------
    >>> from coverage.physics.receiver import measured_power_dbm
    >>> round(float(measured_power_dbm(61.0, "4G")), 1)
    30.2
    >>> float(measured_power_dbm(61.0, "3G"))
    51.0
    """
    if technology not in MEASURED_QUANTITY:
        raise ValueError(
            message(
                "errors.physics.unknown_technology",
                technology=repr(technology),
                choices=sorted(MEASURED_QUANTITY),
            )
        )
    power = np.asarray(eirp_dbm, dtype=float)[()]
    if eirp_is == "measured" or technology == "2G":
        if eirp_is not in ("measured", "total"):
            raise ValueError(message("errors.physics.eirp_is", eirp_is=repr(eirp_is)))
        return power
    if eirp_is != "total":
        raise ValueError(message("errors.physics.eirp_is", eirp_is=repr(eirp_is)))
    if technology == "3G":
        return power + pilot_share_db
    return rsrp_from_total_power_dbm(power, n_resource_blocks)
