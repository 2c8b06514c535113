from datetime import date

from governance.platform import events


def test_event_reaches_subscribers_after_commit(db, django_capture_on_commit_callbacks):
    received = []

    def handler(**payload):
        received.append(payload)

    events.subscribe("test_event", handler)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("test_event", organisation_id=1, period_start=date(2026, 10, 1))
        assert received == []
    assert received == [{"organisation_id": 1, "period_start": date(2026, 10, 1)}]


def test_failing_subscriber_does_not_break_the_publisher(db, django_capture_on_commit_callbacks):
    def broken(**payload):
        raise RuntimeError("boom")

    events.subscribe("test_broken", broken)
    with django_capture_on_commit_callbacks(execute=True):
        events.publish("test_broken", organisation_id=1)
