"""Meetings as iCalendar (RFC 5545), for the calendars of the members of both parties.

One meeting is one VEVENT whose UID stays the same for the meeting's life and whose SEQUENCE
grows with each change, so a calendar that imported it updates it instead of adding a copy; a
cancelled meeting stays in the feed with STATUS:CANCELLED so that calendars remove it.
"""

from datetime import datetime

from icalendar import Calendar, Event

from jsms.coordination.models import Meeting
from jsms.core.i18n import N_, Translator

PRODUCT = "-//JSMS//Joint Security Management System//EN"


def title_of(meeting: Meeting, t: Translator) -> str:
    """ "JWG-Security: meeting 9", in the reader's language."""
    return t.gettext(
        N_("%(group)s: meeting %(number)s"), group=meeting.group.short_name, number=meeting.number
    )


def meeting_event(meeting: Meeting, t: Translator, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@jsms")
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("sequence", max(meeting.version - 1, 0))
    event.add("summary", title_of(meeting, t))
    event.add("location", meeting.venue)
    event.add("status", "CANCELLED" if meeting.status == "cancelled" else "CONFIRMED")
    event.add("description", _description(meeting, t))
    event.add("categories", [meeting.group.short_name])
    return event


def _description(meeting: Meeting, t: Translator) -> str:
    lines = [
        meeting.group.name,
        t.gettext(
            N_("Co-chairs: %(host)s, %(partner)s"),
            host=meeting.host_co_chair,
            partner=meeting.partner_co_chair,
        ),
    ]
    if meeting.agenda:
        lines += ["", t.gettext(N_("Agenda"))]
        lines += [f"{i}. {item}" for i, item in enumerate(meeting.agenda, start=1)]
    return "\n".join(lines)


def calendar_of(meetings: list[Meeting], t: Translator, stamp: datetime, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, t, stamp))
    return calendar.to_ical()
