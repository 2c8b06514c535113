"""References stay unique and gap-free when complaints arrive at the same moment (PostgreSQL:
real concurrent transactions; SQLite serialises writers, so the test needs PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from tests.complaints.conftest import categories, file_complaint

WRITERS = 8


@pytest.mark.django_db(transaction=True)
def test_simultaneous_complaints_get_consecutive_references(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    categories(world.alpha)
    start = threading.Barrier(WRITERS)
    references, errors = [], []

    def write():
        try:
            start.wait()
            references.append(file_complaint(world.alpha).reference)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"KL-2026-{n:06d}" for n in range(1, WRITERS + 1)]
