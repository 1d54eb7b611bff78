"""Shared fixtures: the real Lào Cai data in ../shared (skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


def _shared(sub: str) -> Path:
    folder = SHARED_DATA / sub
    if not folder.is_dir():
        pytest.skip(
            f"real test data not found: expected ../shared/data/{sub} beside the repository "
            "(CI always has it; developers can copy the project's shared folder there)"
        )
    return folder


@pytest.fixture(scope="session")
def laocai_dir() -> Path:
    """../shared/data/laocai: real communes, WorldPop, coarse DEM."""
    return _shared("laocai")


@pytest.fixture(scope="session")
def itm_reference_dir() -> Path:
    """../shared/data/itm-reference: NTIA ITM conformance cases."""
    return _shared("itm-reference")


@pytest.fixture(scope="session")
def measurements_dir() -> Path:
    """../shared/data/measurements: real drive-test path losses."""
    return _shared("measurements")
