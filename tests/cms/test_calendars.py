"""ICS calendars of public deadlines parse with icalendar and hold the right events."""

import datetime

import pytest
from icalendar import Calendar

from tests.cms.test_api import build_world, period
from tests.factories import WorkingGroupFactory


@pytest.fixture
def world(db):
    return build_world()


def events(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0" and calendar["PRODID"]
    found = {str(e["UID"]): e for e in calendar.walk("VEVENT")}
    assert len(found) == len(calendar.walk("VEVENT"))  # every UID once
    return found


def test_site_calendar_has_public_periods_and_announced_ballots(client, world):
    found = events(client, "/calendar.ics")
    public, members = world.public.pk, world.members.pk
    expected = {
        f"consultation-{public}-opens@chaintable",
        f"consultation-{public}-closes@chaintable",
    }
    for ballot in (world.work_plan, world.secret, world.open_ballot, world.open_roll_call):
        expected |= {
            f"ballot-{ballot.pk}-opens@chaintable",
            f"ballot-{ballot.pk}-closes@chaintable",
        }
    assert set(found) == expected
    assert f"consultation-{members}-closes@chaintable" not in found  # members-only
    assert f"ballot-{world.draft.pk}-opens@chaintable" not in found  # a draft is not announced

    closes = found[f"consultation-{public}-closes@chaintable"]
    assert closes.decoded("DTSTART") == world.public.closes_at.replace(microsecond=0)
    assert closes.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert str(closes["SUMMARY"]).startswith("Comment period closes: ASM Cobalt Framework")
    assert str(closes["URL"]) == f"http://testserver/consultations/{public}/"
    ballot = found[f"ballot-{world.open_ballot.pk}-closes@chaintable"]
    assert str(ballot["SUMMARY"]) == "Ballot closes: Admit three new cooperatives"
    assert ballot.decoded("DTSTART") == world.open_ballot.closes_at.replace(microsecond=0)


def test_times_are_written_in_utc(client, world):
    body = client.get("/calendar.ics").content.decode()
    starts = [line for line in body.splitlines() if line.startswith("DTSTART")]
    assert starts and all(line.endswith("Z") and "TZID" not in line for line in starts)


def test_uids_are_stable_from_one_request_to_the_next(client, world):
    assert set(events(client, "/calendar.ics")) == set(events(client, "/calendar.ics"))


def test_group_calendar_has_only_that_group(client, world):
    steering = events(client, "/calendar/groups/steering-committee.ics")
    assert set(steering) == {
        f"ballot-{b.pk}-{edge}@chaintable"
        for b in (world.work_plan, world.open_roll_call)
        for edge in ("opens", "closes")
    }
    framework = events(client, "/calendar/groups/asm-cobalt-framework.ics")
    assert f"consultation-{world.public.pk}-opens@chaintable" in framework
    assert f"ballot-{world.secret.pk}-closes@chaintable" in framework


def test_long_past_deadlines_drop_off(client, world):
    old = period(world.std.v1, round_number=5, opened_days_ago=900, days=60)
    assert f"consultation-{old.pk}-closes@chaintable" not in events(client, "/calendar.ics")


@pytest.mark.parametrize("slug", ["nope", "dissolved"])
def test_unknown_and_closed_groups_have_no_calendar(client, world, slug):
    WorkingGroupFactory(slug="dissolved", status="closed")
    assert client.get(f"/calendar/groups/{slug}.ics").status_code == 404
