"""Draft ballots are edited by those who run the group's ballots, through
`ballot_save`: permission checked, audited, times already past refused on saving."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from governance import services
from governance.models import AuditEvent, Ballot, BallotStatus, VotingRule
from tests.governance.test_ballot_views import make_ballot, t  # noqa: F401 (fixture)


def _local(moment, group) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(group.reference_time_zone)).strftime(
        "%Y-%m-%dT%H:%M"
    )


def _form(t, **changes) -> dict:  # noqa: F811
    now = timezone.now()
    data = {
        "title": "Adopt the grievance procedure",
        "motion": "The group adopts the grievance procedure of annex B.",
        "option_set": "custom",
        "custom_choices": "Annex B as drafted\nAnnex B with the miners' amendment\n",
        "rule": t.plurality.pk,
        "secrecy": "roll_call",
        "opens_at": _local(now + datetime.timedelta(days=1), t.group),
        "closes_at": _local(now + datetime.timedelta(days=8), t.group),
    }
    data.update(changes)
    return data


@pytest.fixture
def draft(t):  # noqa: F811
    t.plurality = VotingRule.objects.create(
        working_group=t.group, name="Most votes", method=VotingRule.Method.PLURALITY
    )
    return make_ballot(t, open_it=False)


@pytest.mark.parametrize("who", ["chair", "secretariat"])
def test_chair_and_secretariat_edit_a_draft_from_its_page(client, t, draft, who):  # noqa: F811
    client.force_login(getattr(t, who))
    page = client.get(reverse("ballots:detail", args=[draft.pk])).text
    assert f'href="/ballots/{draft.pk}/edit/"' in page
    assert client.get(reverse("ballots:edit", args=[draft.pk])).status_code == 200
    response = client.post(reverse("ballots:edit", args=[draft.pk]), _form(t))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Adopt the grievance procedure"
    assert draft.motion.startswith("The group adopts the grievance")
    assert draft.rule == t.plurality and draft.status == BallotStatus.DRAFT
    assert [o.label for o in draft.options.all()] == [
        "Annex B as drafted",
        "Annex B with the miners' amendment",
    ]
    assert draft.opens_at > timezone.now()
    event = AuditEvent.objects.filter(action="ballot.updated").latest("sequence")
    assert event.actor == getattr(t, who) and event.is_public is False
    assert {"title", "motion", "rule", "options", "opens_at"} <= set(event.payload["changes"])
    # The edit form shows the custom choices as they are.
    form = client.get(reverse("ballots:edit", args=[draft.pk])).text
    assert "Annex B with the miners" in form


def test_a_member_may_not_edit_a_draft(client, t, draft):  # noqa: F811
    client.force_login(t.holders[0])
    assert client.get(reverse("ballots:edit", args=[draft.pk])).status_code == 404
    client.post(reverse("ballots:edit", args=[draft.pk]), _form(t))
    draft.refresh_from_db()
    assert draft.title == "Adopt version 2"
    draft.title = "Forged"
    with pytest.raises(PermissionDenied):
        services.ballot_save(actor=t.holders[0], ballot=draft)
    assert Ballot.objects.get(pk=draft.pk).title == "Adopt version 2"


def test_dates_in_the_past_are_refused_when_saving(client, t, draft):  # noqa: F811
    client.force_login(t.chair)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    response = client.post(
        reverse("ballots:edit", args=[draft.pk]), _form(t, opens_at=_local(yesterday, t.group))
    )
    assert response.status_code == 400
    assert "The opening time has already passed" in response.text
    assert "opens_at" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.title == "Adopt version 2"  # nothing changed
    response = client.post(
        reverse("ballots:create", args=[t.group.slug]),
        _form(
            t,
            title="Late",
            opens_at=_local(yesterday - datetime.timedelta(days=2), t.group),
            closes_at=_local(yesterday, t.group),
        ),
    )
    assert response.status_code == 400
    assert "The closing time has already passed." in response.text
    assert not Ballot.objects.filter(title="Late").exists()
    # The service itself refuses, whoever calls it.
    draft.closes_at = yesterday
    draft.opens_at = yesterday - datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        services.ballot_save(actor=t.chair, ballot=draft)


def test_an_open_ballot_is_not_edited(client, t, draft):  # noqa: F811
    opened = make_ballot(t)
    client.force_login(t.chair)
    response = client.post(reverse("ballots:edit", args=[opened.pk]), _form(t), follow=True)
    assert "cannot change" in response.text
    opened.refresh_from_db()
    assert opened.title == "Adopt version 2" and opened.status == BallotStatus.OPEN
