import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; the Dutch catalogue is tested in test_translations."""
    with translation.override("en"):
        yield
