import pytest
from simple_history.models import HistoricalRecords


class FakeRequest:
    def __init__(self, user):
        self.user = user


@pytest.fixture
def as_user():
    """Act as if `user` made the request that the middleware exposes to the trail."""

    def enter(user):
        HistoricalRecords.context.request = FakeRequest(user)

    yield enter
    if hasattr(HistoricalRecords.context, "request"):
        del HistoricalRecords.context.request
