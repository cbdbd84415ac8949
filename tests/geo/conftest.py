"""Fixtures shared by the geo tests (and importable by others): the real Hà Giang geography."""

import pytest

from geo.loading import load_geography


@pytest.fixture
def hagiang_geography(db):
    """Load fixtures/ (units before and after 2025, places, growing regions, demo shops); ~1 s.

    Returns the loader's report. Create the users "retailer" / "official" first if a test needs
    them attached to the demo shops.
    """
    return load_geography()
