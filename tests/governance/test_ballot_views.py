"""Ballot pages: casting through the views, refusals that change nothing, the chair's
controls, assisted votes, results, bulletins, secrecy, reminders and commands."""

import csv
import datetime
import html
import io
import zoneinfo
from types import SimpleNamespace

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from governance import ballot_reminders, services
from governance.ballot_counting import public_chamber_rows
from governance.models import (
    AssistedVoteAttestation,
    AuditEvent,
    Ballot,
    BallotStatus,
    Decision,
    Delegation,
    GroupRole,
    Participation,
    RollCallChoice,
    RollCallChoiceRevision,
    SeatRole,
    SecretChoice,
    VotingRule,
    WorkingGroupStatus,
)
from tests.factories import (
    ChamberFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

NOW = timezone.now


@pytest.fixture
def t(group):
    """Two chambers of two seats, their holders, an alternate on the first seat,
    a chair, a secretariat member, a facilitator of the last seat and a rule."""
    chair, secretariat, facilitator = UserFactory(), UserFactory(), UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    give_role(facilitator, group, GroupRole.FACILITATOR)
    industry, miners = ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=chamber, label=f"{chamber.name} {n}")
        for chamber in (industry, miners)
        for n in (1, 2)
    ]
    seats[3].facilitator = facilitator
    seats[3].save()
    holders = [seat_person(seat).person for seat in seats]
    alternate = seat_person(seats[0], role=SeatRole.ALTERNATE).person
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    return SimpleNamespace(
        group=group,
        chair=chair,
        secretariat=secretariat,
        facilitator=facilitator,
        seats=seats,
        holders=holders,
        alternate=alternate,
        rule=rule,
    )


def make_ballot(
    t,
    *,
    secrecy="roll_call",
    opens=None,
    closes=None,
    option_set="motion",
    rule=None,
    options=None,
    open_it=True,
):
    now = NOW()
    ballot = Ballot(
        working_group=t.group,
        title="Adopt version 2",
        motion="The group adopts version 2 of the standard.",
        rule=rule or t.rule,
        secrecy=secrecy,
        option_set=option_set,
        opens_at=opens or now - datetime.timedelta(minutes=5),
        closes_at=closes or now + datetime.timedelta(days=2),
    )
    services.ballot_save(
        actor=t.chair, ballot=ballot, options=options, now=min(now, ballot.opens_at)
    )
    if open_it:
        services.ballot_open(actor=t.chair, ballot=ballot, now=min(now, ballot.opens_at))
    return ballot


def vote_url(ballot, seat):
    return reverse("ballots:vote", args=[ballot.pk, seat.pk])


def vote_data(seat, option="for", reason=""):
    return {f"seat-{seat.pk}-option": option, f"seat-{seat.pk}-reason": reason}


def snapshot(ballot):
    """Everything a vote could change."""
    return (
        Participation.objects.filter(ballot=ballot).count(),
        RollCallChoice.objects.filter(participation__ballot=ballot).count(),
        RollCallChoiceRevision.objects.count(),
        SecretChoice.objects.filter(ballot=ballot).count(),
        AuditEvent.objects.filter(action__startswith="vote.").count(),
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def page_messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- Pages ---------------------------------------------------------------------------


def test_group_list_shows_ballots_and_drafts_only_to_those_who_run_them(client, t):
    make_ballot(t)
    draft = make_ballot(t, open_it=False)
    draft.title = "A draft"
    services.ballot_save(actor=t.chair, ballot=draft)
    url = reverse("ballots:group", args=[t.group.slug])
    public = client.get(url)
    assert public.status_code == 200
    assert "Adopt version 2" in text(public) and "A draft" not in text(public)
    assert client.get(reverse("ballots:detail", args=[draft.pk])).status_code == 404
    client.force_login(t.secretariat)
    assert "A draft" in client.get(url).text


def test_closed_group_ballots_are_for_members_only(client, t):
    ballot = make_ballot(t)
    t.group.status = WorkingGroupStatus.CLOSED
    t.group.save()
    assert client.get(reverse("ballots:detail", args=[ballot.pk])).status_code == 404
    client.force_login(t.holders[0])
    assert client.get(reverse("ballots:detail", args=[ballot.pk])).status_code == 200


def test_open_ballot_page_shows_rule_times_and_turnout_but_no_result(client, t):
    t.group.reference_time_zone = "Europe/Brussels"
    t.group.save()
    ballot = make_ballot(t)
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    response = client.get(reverse("ballots:detail", args=[ballot.pk]))
    html = text(response)
    assert "The group adopts version 2 of the standard." in html
    assert "Passes with simple majority (more than half) of votes cast." in html
    assert "Africa/Lubumbashi" in html and "Europe/Brussels" in html  # reader's + group's zone
    turnout = response.context["turnout"]
    assert f'data-chamber="{turnout[1]["chamber_id"]}"' in html and "data-ballot-turnout" in html
    assert [(row["chamber"], row["eligible"], row["voted"]) for row in turnout] == [
        ("Artisanal miners", 2, 0),
        ("Industry", 2, 1),
    ]
    assert response.context["voted_seats"] == ["Industry 1"]  # roll-call: which seats, not what
    assert response.context["result"] is None and "Result" not in html
    assert "ballot-turnout.js" in html


def test_seat_holder_sees_a_vote_form_for_their_seat_only(client, t):
    ballot = make_ballot(t)
    client.force_login(t.holders[1])
    response = client.get(reverse("ballots:detail", args=[ballot.pk]))
    cards = response.context["cards"]
    assert [card.entry.seat for card in cards] == [t.seats[1]]
    assert cards[0].cast_as == "holder" and cards[0].form is not None
    assert f'action="{vote_url(ballot, t.seats[1])}"' in text(response)
    assert 'type="radio"' in text(response)


# --- Casting -------------------------------------------------------------------------


def test_a_vote_returns_its_receipt(client, t):
    ballot = make_ballot(t)
    client.force_login(t.holders[0])
    response = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0], "against"))
    assert response.status_code == 200
    choice = RollCallChoice.objects.get(participation__ballot=ballot)
    assert choice.option.key == "against" and choice.participation.cast_by == t.holders[0]
    assert choice.participation.channel == "web"
    assert choice.participation.receipt_code in text(response)
    assert "no-store" in response["Cache-Control"]
    assert response.templates[0].name == "governance/ballots/receipt.html"


def test_alternate_votes_when_the_holder_has_not(client, t):
    ballot = make_ballot(t)
    client.force_login(t.alternate)
    response = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0]))
    assert response.status_code == 200
    assert Participation.objects.get(ballot=ballot).cast_as == "alternate"


def _outsider(t, ballot):
    return UserFactory(), t.seats[0], "for", "You may not cast this seat's vote."


def _seat_of_another_group(t, ballot):
    other = SeatFactory(working_group=WorkingGroupFactory(), chamber=t.seats[0].chamber)
    holder = seat_person(other).person
    return holder, other, "for", "This seat is not on the ballot's roll."


def _alternate_after_holder(t, ballot):
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    return t.alternate, t.seats[0], "against", "This seat has already voted."


def _revoked_proxy(t, ballot):
    proxy = UserFactory()
    delegation = services.delegation_grant(
        actor=t.holders[1], ballot=ballot, seat=t.seats[1], proxy=proxy
    )
    services.delegation_revoke(actor=t.holders[1], delegation=delegation)
    return proxy, t.seats[1], "for", "You may not cast this seat's vote."


def _option_of_another_ballot(t, ballot):
    rule = VotingRule.objects.create(working_group=t.group, name="Most votes", method="plurality")
    make_ballot(
        t,
        option_set="custom",
        rule=rule,
        options=[("green", "Green", False), ("blue", "Blue", False)],
    )
    return t.holders[0], t.seats[0], "green", "That choice is not on this ballot."


@pytest.mark.parametrize(
    "case",
    [
        _outsider,
        _seat_of_another_group,
        _alternate_after_holder,
        _revoked_proxy,
        _option_of_another_ballot,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_refused_votes_change_nothing(client, t, case):
    ballot = make_ballot(t)
    person, seat, option, message = case(t, ballot)
    before = snapshot(ballot)
    client.force_login(person)
    response = client.post(vote_url(ballot, seat), vote_data(seat, option))
    assert response.status_code in (400, 403)
    assert message in text(response)
    assert snapshot(ballot) == before


def test_votes_before_opening_and_after_close_are_refused(client, t):
    later = make_ballot(
        t, opens=NOW() + datetime.timedelta(hours=1), closes=NOW() + datetime.timedelta(days=1)
    )
    closed = make_ballot(t)
    services.ballot_close(actor=None, ballot=closed, now=closed.closes_at)
    client.force_login(t.holders[0])
    for ballot, message in (
        (later, "This ballot is not open yet."),
        (closed, "This ballot has closed; votes are no longer accepted."),
    ):
        before = snapshot(ballot)
        response = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0]))
        assert response.status_code == 400
        assert message in page_messages(response)
        assert snapshot(ballot) == before


def test_an_open_ballot_refuses_votes_once_its_time_is_up(client, t):
    ballot = make_ballot(t, closes=NOW() + datetime.timedelta(hours=1))
    client.force_login(t.holders[0])
    with time_machine.travel(ballot.closes_at + datetime.timedelta(seconds=1), tick=False):
        response = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0]))
    assert "votes are no longer accepted" in page_messages(response)
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_an_objection_without_reason_is_refused_next_to_the_field(client, t):
    rule = VotingRule.objects.create(working_group=t.group, name="Consensus", method="consensus")
    ballot = make_ballot(t, option_set="consent", rule=rule)
    client.force_login(t.holders[0])
    response = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0], "objection"))
    assert response.status_code == 400
    card = response.context["cards"][0]
    assert card.form.errors["reason"] == ["An objection must give its reason."]
    assert not Participation.objects.filter(ballot=ballot).exists()
    response = client.post(
        vote_url(ballot, t.seats[0]), vote_data(t.seats[0], "objection", "Clause 4 is unsafe.")
    )
    assert response.status_code == 200
    assert RollCallChoice.objects.get(participation__ballot=ballot).reason == "Clause 4 is unsafe."
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    result = client.get(reverse("ballots:detail", args=[ballot.pk])).context["result"]
    assert result["objections"] == [("Industry 1", "Clause 4 is unsafe.")]
    assert result["outcome_key"] == "rejected"


def test_a_roll_call_vote_may_be_changed_and_keeps_its_receipt(client, t):
    ballot = make_ballot(t)
    client.force_login(t.holders[0])
    first = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0], "for"))
    code = Participation.objects.get(ballot=ballot).receipt_code
    page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    assert code in text(page) and "Change this seat" in text(page)
    second = client.post(vote_url(ballot, t.seats[0]), vote_data(t.seats[0], "against"))
    assert first.status_code == second.status_code == 200
    choice = RollCallChoice.objects.get(participation__ballot=ballot)
    assert choice.option.key == "against" and choice.participation.receipt_code == code
    assert choice.revisions.count() == 1


# --- Proxies -------------------------------------------------------------------------


def test_holder_names_a_proxy_who_votes_and_the_secretariat_sees_it(client, t):
    ballot = make_ballot(t)
    proxy = UserFactory(username="amani")
    client.force_login(t.holders[1])
    response = client.post(
        reverse("ballots:delegate", args=[ballot.pk, t.seats[1].pk]),
        {f"seat-{t.seats[1].pk}-username": "Amani"},
    )
    assert response.status_code == 302
    delegation = Delegation.objects.get(ballot=ballot, seat=t.seats[1], revoked_at__isnull=True)
    assert delegation.proxy == proxy
    client.force_login(t.secretariat)
    page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    assert page.context["delegations"] == [delegation]
    assert proxy.public_name in text(page)
    client.force_login(proxy)
    cards = client.get(reverse("ballots:detail", args=[ballot.pk])).context["cards"]
    assert [(c.entry.seat, c.cast_as) for c in cards] == [(t.seats[1], "proxy")]
    response = client.post(vote_url(ballot, t.seats[1]), vote_data(t.seats[1]))
    assert response.status_code == 200
    assert Participation.objects.get(ballot=ballot).cast_as == "proxy"


def test_unknown_proxy_and_revocation(client, t):
    ballot = make_ballot(t)
    proxy = UserFactory()
    client.force_login(t.holders[1])
    url = reverse("ballots:delegate", args=[ballot.pk, t.seats[1].pk])
    response = client.post(url, {f"seat-{t.seats[1].pk}-username": "nobody-here"}, follow=True)
    assert "No active person has that username." in text(response)
    assert not Delegation.objects.exists()
    client.post(url, {f"seat-{t.seats[1].pk}-username": proxy.username})
    delegation = Delegation.objects.get()
    client.force_login(t.holders[0])  # not the one who named the proxy
    response = client.post(
        reverse("ballots:revoke_delegation", args=[ballot.pk, delegation.pk]), follow=True
    )
    assert "Only the holder who named the proxy may revoke it." in text(response)
    client.force_login(t.holders[1])
    client.post(reverse("ballots:revoke_delegation", args=[ballot.pk, delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.revoked_at is not None


# --- Running a ballot ----------------------------------------------------------------


def test_a_chair_writing_from_the_french_site_writes_the_english_source(client, t):
    """The form edits the authoritative text; French comes through the translation
    workflow, so an approved translation is never overwritten from a form."""
    client.force_login(t.chair)
    closes = (NOW() + datetime.timedelta(days=1)).astimezone(zoneinfo.ZoneInfo("Africa/Lubumbashi"))
    response = client.post(
        "/fr" + reverse("ballots:create", args=[t.group.slug]),
        {
            "title": "Adopt the work plan",
            "motion": "The group adopts its work plan.",
            "option_set": "motion",
            "rule": t.rule.pk,
            "secrecy": "roll_call",
            "opens_at": (closes - datetime.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    ballot = Ballot.objects.get(title_en="Adopt the work plan")
    assert ballot.motion_en == "The group adopts its work plan." and not ballot.title_fr


def test_chair_creates_opens_closes_and_certifies(client, t):
    t.group.reference_time_zone = "Europe/Brussels"
    t.group.save()
    client.force_login(t.chair)
    tomorrow = (NOW() + datetime.timedelta(days=1)).astimezone(zoneinfo.ZoneInfo("Europe/Brussels"))
    response = client.post(
        reverse("ballots:create", args=[t.group.slug]),
        {
            "title": "Adopt the work plan",
            "motion": "The group adopts its work plan.",
            "option_set": "motion",
            "rule": t.rule.pk,
            "secrecy": "roll_call",
            "opens_at": (NOW() - datetime.timedelta(minutes=1))
            .astimezone(zoneinfo.ZoneInfo("Europe/Brussels"))
            .strftime("%Y-%m-%dT%H:%M"),
            "closes_at": tomorrow.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    ballot = Ballot.objects.get(title="Adopt the work plan")
    assert response.status_code == 302 and ballot.status == BallotStatus.DRAFT
    # Typed in the group's reference zone, whatever the chair's own zone.
    assert ballot.closes_at == tomorrow.replace(second=0, microsecond=0)
    assert [o.key for o in ballot.options.all()] == ["for", "against", "abstain"]

    client.post(reverse("ballots:open", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.OPEN and ballot.roll.count() == 4

    response = client.post(reverse("ballots:close", args=[ballot.pk]), follow=True)
    assert "A ballot can close early only once every seat has voted." in text(response)
    for holder, seat in zip(t.holders, t.seats, strict=True):
        services.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key="for")
    client.post(reverse("ballots:close", args=[ballot.pk]))
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED

    page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    assert page.context["result"]["outcome_key"] == "adopted"
    assert ballot.explanation("en") in text(page)
    assert [row["cells"] for row in page.context["result"]["chambers"]] == [[2, 0, 0], [2, 0, 0]]

    client.post(reverse("ballots:certify", args=[ballot.pk]))
    assert Decision.objects.get(ballot=ballot).outcome == "adopted"


def test_result_explanation_is_in_the_readers_language(client, t):
    ballot = make_ballot(t)
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    ballot.refresh_from_db()
    ballot.explanations = {"en": "Adopted in English.", "fr": "Adoptée en français."}
    Ballot.objects.filter(pk=ballot.pk).update(explanations=ballot.explanations)
    assert "Adoptée en français." in client.get(f"/fr/ballots/{ballot.pk}/").text
    assert "Adopted in English." in client.get(f"/ballots/{ballot.pk}/").text


def test_create_form_refuses_a_rule_that_does_not_fit_the_choices(client, t):
    client.force_login(t.chair)
    response = client.post(
        reverse("ballots:create", args=[t.group.slug]),
        {
            "title": "Pick a colour",
            "motion": "Which colour?",
            "option_set": "custom",
            "custom_choices": "Green\n",
            "rule": t.rule.pk,
            "secrecy": "roll_call",
            "opens_at": "2030-01-01T10:00",
            "closes_at": "2030-01-02T10:00",
        },
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"custom_choices", "option_set"}
    assert not Ballot.objects.exists()


def test_only_those_who_run_ballots_may_create_open_or_cancel(client, t):
    ballot = make_ballot(t, open_it=False)
    client.force_login(t.holders[0])
    assert client.get(reverse("ballots:create", args=[t.group.slug])).status_code == 403
    response = client.post(reverse("ballots:open", args=[ballot.pk]), follow=True)
    assert response.status_code == 404  # a draft does not exist for them
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.DRAFT
    opened = make_ballot(t)
    response = client.post(
        reverse("ballots:cancel", args=[opened.pk]), {"reason": "Because."}, follow=True
    )
    assert "You do not run ballots in this working group." in text(response)
    opened.refresh_from_db()
    assert opened.status == BallotStatus.OPEN


def test_cancelling_needs_a_reason_which_the_page_then_shows(client, t):
    ballot = make_ballot(t)
    client.force_login(t.secretariat)
    response = client.post(
        reverse("ballots:cancel", args=[ballot.pk]), {"reason": " "}, follow=True
    )
    assert "Give the reason for cancelling the ballot." in text(response)
    client.post(reverse("ballots:cancel", args=[ballot.pk]), {"reason": "Wrong draft attached."})
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CANCELLED
    assert "Wrong draft attached." in client.get(reverse("ballots:detail", args=[ballot.pk])).text


# --- Secrecy and results -------------------------------------------------------------


def test_secret_ballot_pages_never_show_who_voted_what(client, t):
    ballot = make_ballot(t, secrecy="secret")
    for holder, seat, option in zip(
        t.holders, t.seats, ["for", "against", "for", "abstain"], strict=True
    ):
        services.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key=option)
    names = [seat.label for seat in t.seats] + [h.public_name for h in t.holders]
    client.force_login(t.chair)
    open_page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    assert "voted_seats" not in open_page.context
    assert not any(name in text(open_page) for name in names)

    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    client.logout()
    pages = [
        client.get(reverse("ballots:detail", args=[ballot.pk])).text,
        client.get(reverse("ballots:bulletin", args=[ballot.pk])).text,
        client.get(reverse("ballots:bulletin_csv", args=[ballot.pk])).content.decode(),
    ]
    for page in pages:
        assert not any(name in page for name in names)
    codes = list(Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True))
    rows = list(csv.reader(io.StringIO(pages[2])))
    # Two tables that nothing joins: the receipts, sorted; a blank line; the choices.
    blank = rows.index([])
    assert rows[0] == ["receipt"] and rows[1:blank] == [[c] for c in sorted(codes)]
    assert rows[blank + 1] == ["key", "choice"]
    assert sorted(row[0] for row in rows[blank + 2 :]) == ["abstain", "against", "for", "for"]
    assert all(code in pages[1] for code in codes)
    for line in pages[1].splitlines():  # no line of the page holds a receipt and a choice
        if any(code in line for code in codes):
            assert not any(word in line for word in ("For", "Against", "Abstain")), line


def test_secret_ballot_results_withhold_small_chambers(client, t):
    ballot = make_ballot(t, secrecy="secret")
    for holder, seat in zip(t.holders, t.seats, strict=True):
        services.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key="for")
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    response = client.get(reverse("ballots:detail", args=[ballot.pk]))
    result = response.context["result"]
    assert [row["cells"] for row in result["chambers"]] == [None, None]  # 2 votes < 3
    assert result["totals"][0] == ("For", 4) and result["withheld"]
    assert "withheld" in text(response)


def test_public_chamber_rows_follow_the_tally_rule():
    row = {
        "eligible": 5,
        "counts": {"for": 1},
        "support": "1",
        "quorum_met": True,
        "blocked": False,
    }
    rows = [
        {**row, "chamber": "A", "cast": 1},
        {**row, "chamber": "B", "cast": 4},
        {**row, "chamber": "C", "cast": 5},
    ]
    shown = public_chamber_rows(rows, 3)
    # A is small; B is withheld too, or A would follow from the totals.
    assert [r["counts"] is None for r in shown] == [True, True, False]
    assert shown[0]["support_percent"] is None


def test_roll_call_bulletin_lists_seats_holders_choices_and_receipts(client, t):
    ballot = make_ballot(t)
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    services.vote_cast(actor=t.holders[2], ballot=ballot, seat=t.seats[2], option_key="against")
    assert client.get(reverse("ballots:bulletin", args=[ballot.pk])).status_code == 404
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    response = client.get(reverse("ballots:bulletin", args=[ballot.pk]))
    rows = response.context["rows"]
    assert [(r["seat"], r["holder"], r["key"]) for r in rows] == [  # in roll order
        ("Artisanal miners 1", t.holders[2].public_name, "against"),
        ("Industry 1", t.holders[0].public_name, "for"),
    ]
    for participation in Participation.objects.filter(ballot=ballot):
        assert participation.receipt_code in text(response)
    body = client.get(reverse("ballots:bulletin_csv", args=[ballot.pk])).content.decode()
    header, *lines = list(csv.reader(io.StringIO(body)))
    assert header == [
        "seat",
        "chamber",
        "weight",
        "holder",
        "cast_as",
        "channel",
        "key",
        "choice",
        "receipt",
    ]
    assert len(lines) == 2


# --- Assisted votes ------------------------------------------------------------------


def test_facilitator_records_an_assisted_vote_with_attestation(client, t, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    ballot = make_ballot(t)
    client.force_login(t.facilitator)
    page = client.get(reverse("ballots:assisted", args=[ballot.pk]))
    assert page.status_code == 200 and "Artisanal miners 2" in text(page)
    scan = SimpleUploadedFile(
        "ballot.pdf", b"%PDF-1.4 paper ballot", content_type="application/pdf"
    )
    response = client.post(
        reverse("ballots:assisted", args=[ballot.pk]),
        {
            "seat": t.seats[3].pk,
            "option": "for",
            "mode": "paper",
            "witness": "Mama Furaha, cooperative secretary",
            "note": "Signed at the Kasulo site office.",
            "scan": scan,
        },
    )
    assert response.status_code == 200
    participation = Participation.objects.get(ballot=ballot)
    assert participation.cast_as == "facilitator" and participation.channel == "assisted"
    attestation = AssistedVoteAttestation.objects.get(participation=participation)
    assert attestation.mode == "paper" and attestation.scan.name.endswith(".pdf")
    assert participation.receipt_code in text(response)
    assert (tmp_path / attestation.scan.name).read_bytes() == b"%PDF-1.4 paper ballot"


def test_assisted_votes_are_refused_for_big_scans_voted_and_foreign_seats(client, t):
    ballot = make_ballot(t)
    client.force_login(t.facilitator)
    url = reverse("ballots:assisted", args=[ballot.pk])
    data = {"seat": t.seats[3].pk, "option": "for", "mode": "in_person", "witness": "A witness"}
    big = SimpleUploadedFile("scan.png", b"\0" * (5 * 1024 * 1024 + 1), content_type="image/png")
    response = client.post(url, {**data, "scan": big})
    assert response.status_code == 400 and "at most 5 MB" in text(response)
    response = client.post(url, {**data, "seat": t.seats[0].pk})  # not assigned to them
    assert response.status_code == 400
    assert not Participation.objects.filter(ballot=ballot).exists()
    services.vote_cast(actor=t.holders[3], ballot=ballot, seat=t.seats[3], option_key="against")
    before = snapshot(ballot)
    response = client.post(url, data)
    assert response.status_code == 400 and "Every seat assigned to you has voted." in text(response)
    assert snapshot(ballot) == before
    client.force_login(t.holders[0])
    assert client.get(url).status_code == 403


# --- Links, reminders and commands ---------------------------------------------------


def test_secretariat_emails_personal_links_it_never_sees(
    client, t, django_capture_on_commit_callbacks
):
    ballot = make_ballot(t)
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    client.force_login(t.holders[1])
    assert client.get(reverse("ballots:links", args=[ballot.pk])).status_code == 403
    client.force_login(t.secretariat)
    page = client.get(reverse("ballots:links", args=[ballot.pk]))
    assert page.status_code == 200
    assert "/ballots/v/" not in text(page)
    assert [row["by_email"] for row in page.context["rows"]] == [True] * 4
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballots:send_links", args=[ballot.pk]))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(h.email for h in t.holders[1:])
    assert "/ballots/v/" in mail.outbox[0].body
    assert AuditEvent.objects.filter(action="ballot.links_sent").count() == 1


def test_reminders_go_48h_and_24h_before_close_once_each(t, django_capture_on_commit_callbacks):
    start = NOW()
    ballot = make_ballot(
        t, opens=start - datetime.timedelta(days=3), closes=start + datetime.timedelta(hours=47)
    )
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders.send_due_reminders(now=start) == 1
        assert ballot_reminders.send_due_reminders(now=start) == 0
    # Seat 1 voted: its holder and alternate get nothing.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(h.email for h in t.holders[1:])
    assert "Two days left" in mail.outbox[0].subject
    assert "/ballots/v/" in mail.outbox[0].body  # a holder gets their personal link
    mail.outbox.clear()
    later = start + datetime.timedelta(hours=24)
    with django_capture_on_commit_callbacks(execute=True):
        assert ballot_reminders.send_due_reminders(now=later) == 1
        assert ballot_reminders.send_due_reminders(now=later) == 0
    assert len(mail.outbox) == 3 and "Last day" in mail.outbox[0].subject
    kinds = AuditEvent.objects.filter(action="ballot.reminder_sent").values_list(
        "payload__kind", flat=True
    )
    assert sorted(kinds) == ["24h", "48h"]


def test_a_ballot_opened_inside_a_window_gets_no_reminder_for_it(t):
    ballot = make_ballot(t, closes=NOW() + datetime.timedelta(hours=30))
    assert ballot_reminders.due_reminder(ballot, NOW()) is None
    assert ballot_reminders.due_reminder(ballot, NOW() + datetime.timedelta(hours=7)) == "24h"


def test_commands_close_due_ballots_and_send_reminders(t, capsys):
    ballot = make_ballot(t, closes=NOW() + datetime.timedelta(hours=1))
    call_command("close_due_ballots")
    assert "Closed 0 ballot(s)." in capsys.readouterr().out
    with time_machine.travel(ballot.closes_at + datetime.timedelta(minutes=1), tick=False):
        call_command("close_due_ballots")
        call_command("send_ballot_reminders")
    out = capsys.readouterr().out
    assert "Closed 1 ballot(s)." in out and "Reminded the seats of 0 ballot(s)." in out
    ballot.refresh_from_db()
    assert ballot.status == BallotStatus.CLOSED and ballot.result["outcome"] == "no_votes"


# --- Queries that do not grow ----------------------------------------------------------


def _voted_ballot(seats_per_chamber: int) -> Ballot:
    group = WorkingGroupFactory()
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    chambers = [ChamberFactory(name="Industry"), ChamberFactory(name="Artisanal miners")]
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    seats = [
        SeatFactory(working_group=group, chamber=chamber, label=f"{chamber.name} {n}")
        for chamber in chambers
        for n in range(seats_per_chamber)
    ]
    holders = [seat_person(seat).person for seat in seats]
    now = NOW()
    ballot = Ballot(
        working_group=group,
        title="Adopt",
        motion="Adopt.",
        rule=rule,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=1),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    services.ballot_open(actor=chair, ballot=ballot, now=now - datetime.timedelta(minutes=5))
    for holder, seat in zip(holders, seats, strict=True):
        services.vote_cast(actor=holder, ballot=ballot, seat=seat, option_key="for")
    return ballot


def test_ballot_pages_do_not_query_per_seat(client, db):
    """The open page (turnout, voted seats), the closed page (result) and the bulletin
    (roll, choices) make as many queries for 2 seats as for 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(ballot) -> list[int]:
        counts = []
        for name in ("detail", "after close", "bulletin"):
            if name == "after close":
                services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
            url = reverse(
                "ballots:bulletin" if name == "bulletin" else "ballots:detail", args=[ballot.pk]
            )
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts.append(len(captured))
        return counts

    assert queries(_voted_ballot(1)) == queries(_voted_ballot(6))
