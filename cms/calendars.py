"""ICS calendars of public deadlines: comment periods opening and closing, ballots
opening and closing. Site-wide at /calendar.ics, per working group at
/calendar/groups/<slug>.ics.

Each event is an instant (DTSTART in UTC, no DTEND: a deadline has no length), with
a UID that stays the same for the life of the period or ballot
("consultation-12-closes@chaintable"), so calendar clients update rather than
duplicate an event when its time moves. Only public periods, and ballots once they
are open, appear; a draft ballot's date is not announced.
"""

import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from governance.models import WorkingGroup

from .api import results, selectors

UID_DOMAIN = "chaintable"
HISTORY = datetime.timedelta(days=400)  # how far back past deadlines stay listed
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def _event(uid: str, summary: str, at, url: str, description: str, stamp) -> Event:
    event = Event()
    event.add("uid", f"{uid}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", _utc(at))
    event.add("summary", summary)
    event.add("description", description)
    event.add("url", url)
    return event


def consultation_events(consultation, base: str, stamp) -> list[Event]:
    standard = consultation.version.standard
    name = _("%(standard)s %(version)s, round %(round)s") % {
        "standard": standard.title,
        "version": consultation.version.label,
        "round": consultation.round_number,
    }
    url = base + selectors.consultation_path(consultation.pk)
    group = standard.working_group.name
    return [
        _event(
            f"consultation-{consultation.pk}-opens",
            _("Comment period opens: %(name)s") % {"name": name},
            consultation.opens_at,
            url,
            group,
            stamp,
        ),
        _event(
            f"consultation-{consultation.pk}-closes",
            _("Comment period closes: %(name)s") % {"name": name},
            consultation.closes_at,
            url,
            group,
            stamp,
        ),
    ]


def ballot_events(ballot, base: str, stamp) -> list[Event]:
    url = base + selectors.ballot_path(ballot.pk)
    group = ballot.working_group.name
    return [
        _event(
            f"ballot-{ballot.pk}-opens",
            _("Ballot opens: %(title)s") % {"title": ballot.title},
            ballot.opens_at,
            url,
            group,
            stamp,
        ),
        _event(
            f"ballot-{ballot.pk}-closes",
            _("Ballot closes: %(title)s") % {"title": ballot.title},
            ballot.closes_at,
            url,
            group,
            stamp,
        ),
    ]


def build(request, group: WorkingGroup | None = None) -> bytes:
    """The calendar, in two queries whatever the number of events."""
    now = timezone.now()
    since = now - HISTORY
    consultations = selectors.consultations().filter(closes_at__gte=since)
    ballots = results.announced_ballots().filter(closes_at__gte=since)
    if group is not None:
        consultations = consultations.filter(version__standard__working_group=group)
        ballots = ballots.filter(working_group=group)
    calendar = Calendar()
    calendar.add("prodid", "-//Chaintable//Public deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = _("Chaintable deadlines")
    if group is not None:
        name = _("Chaintable deadlines: %(group)s") % {"group": group.name}
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "UTC")
    base = request.build_absolute_uri("/").rstrip("/")
    stamp = _utc(now).replace(microsecond=0)
    for consultation in consultations.order_by("opens_at", "id"):
        for event in consultation_events(consultation, base, stamp):
            calendar.add_component(event)
    for ballot in ballots.order_by("opens_at", "id"):
        for event in ballot_events(ballot, base, stamp):
            calendar.add_component(event)
    return calendar.to_ical()


def site_calendar(request):
    return _response(build(request), "chaintable.ics")


def group_calendar(request, slug: str):
    group = get_object_or_404(WorkingGroup.objects.public(), slug=slug)
    return _response(build(request, group), f"chaintable-{group.slug}.ics")


def _response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
