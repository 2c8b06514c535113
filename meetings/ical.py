"""Meetings as iCalendar (RFC 5545), written by hand: CRLF line ends, lines folded at 75
octets without splitting a UTF-8 character, TEXT values escaped, times in UTC.

UTC rather than TZID=Europe/Amsterdam: a TZID must come with a matching VTIMEZONE component,
and UTC instants are unambiguous in every calendar client.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

PRODID = "-//Regie//Meetings//EN"
FOLD_AT = 75  # octets per line, CRLF excluded (RFC 5545 §3.1)


def escape_text(value: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into chunks of at most 75 octets; continuation lines begin with a
    single space, which counts toward their 75."""
    encoded = line.encode("utf-8")
    if len(encoded) <= FOLD_AT:
        return line
    parts = []
    limit = FOLD_AT
    current = b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > limit:
            parts.append(current.decode("utf-8"))
            current = b""
            limit = FOLD_AT - 1  # room for the leading space
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_lines(
    meeting, *, description: str = "", url: str = "", now: datetime | None = None
) -> list[str]:
    """The VEVENT of one meeting; the UID stays the same across exports and SEQUENCE rises
    when a published meeting moves, so calendars update the event."""
    status = "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.uid}@regie",
        f"DTSTAMP:{utc_stamp(now or timezone.now())}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SEQUENCE:{meeting.ical_sequence}",
        f"STATUS:{status}",
        f"SUMMARY:{escape_text(str(meeting.series.title))}",
    ]
    if meeting.location:
        lines.append(f"LOCATION:{escape_text(meeting.location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar_text(events: list[list[str]]) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    for event in events:
        lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def meeting_calendar(
    meetings, *, descriptions: dict[int, str] | None = None, urls: dict[int, str] | None = None
) -> bytes:
    """An iCalendar file with one event per meeting, UTF-8 encoded."""
    descriptions = descriptions or {}
    urls = urls or {}
    now = timezone.now()
    events = [
        event_lines(m, description=descriptions.get(m.pk, ""), url=urls.get(m.pk, ""), now=now)
        for m in meetings
    ]
    return calendar_text(events).encode("utf-8")
