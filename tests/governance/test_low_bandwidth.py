"""The low-bandwidth ballot page behind a personal signed link: small, no JavaScript,
in the holder's language; it casts the seat's vote as its holder, once, while open."""

import datetime
import html
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from governance import ballot_links, services
from governance.models import (
    AuditEvent,
    Ballot,
    GroupRole,
    Participation,
    RollCallChoice,
    RollEntry,
    SecretChoice,
    VotingRule,
)
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person


def in_swahili(message: str) -> str:
    """The page speaks the holder's language (Swahili here): expect its catalog's words."""
    with translation.override("sw"):
        return translation.gettext(message)


MAX_BYTES = 30 * 1024
MOTION = (
    "The ASM Cobalt Framework working group adopts version 2.0 of the Artisanal Cobalt "
    "Standard, including the revised clauses on child labour remediation, site safety "
    "(shaft support, ventilation and water), fair pricing at the first point of sale, and "
    "the grievance mechanism available to miners, their families and neighbouring "
    "communities; it asks the secretariat to publish the adopted text in English, French "
    "and Swahili within thirty days."
)


@pytest.fixture
def miner(group):
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    chamber = ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=chamber, label=f"Kolwezi cooperatives {n}")
        for n in (1, 2)
    ]
    holder = seat_person(seats[0], person=UserFactory(preferred_language="sw")).person
    other = seat_person(seats[1]).person
    rule = VotingRule.objects.create(working_group=group, name="Two thirds", threshold="2/3")
    return chair, seats, holder, other, rule


def open_ballot(group, chair, rule, *, secrecy="roll_call", opens=None, closes=None):
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Adopt the Artisanal Cobalt Standard 2.0",
        motion=MOTION,
        rule=rule,
        secrecy=secrecy,
        opens_at=opens or now - datetime.timedelta(minutes=5),
        closes_at=closes or now + datetime.timedelta(days=2),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    # The Swahili-reading holder reads the English text here: the secretariat waived.
    services.ballot_waive_translations(
        actor=UserFactory(is_superuser=True), ballot=ballot, reason="Read out in Swahili."
    )
    return services.ballot_open(actor=chair, ballot=ballot, now=min(now, ballot.opens_at))


def link_for(ballot, seat) -> str:
    return ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=seat))


def transferred(response) -> int:
    """Bytes on the wire, near enough: status line, headers, cookies and body."""
    status_line = f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n"
    cookies = "".join(f"{line}\r\n" for line in response.cookies.output().splitlines())
    return (
        len(status_line)
        + len(response.serialize_headers())
        + len(cookies)
        + 4
        + len(response.content)
    )


def csrf_token(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)


def text(response) -> str:
    return html.unescape(response.content.decode())


def hidden_fields(response) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()
        )
    }


def vote_by_link(browser, url, data: dict, *, csrf: str | None = None):
    """Both steps of a link vote: the choice, then its confirmation (the hidden fields
    of the second form). Returns (confirmation page, answer)."""
    extra = {"csrfmiddlewaretoken": csrf} if csrf else {}
    asked = browser.post(url, {**data, **extra})
    assert asked.status_code == 200, asked.content.decode()[:2000]
    assert "You chose" in text(asked) or in_swahili("Confirm my vote") in text(asked)
    return asked, browser.post(url, hidden_fields(asked))


def counts(ballot):
    return (
        Participation.objects.filter(ballot=ballot).count(),
        RollCallChoice.objects.filter(participation__ballot=ballot).count(),
        SecretChoice.objects.filter(ballot=ballot).count(),
        AuditEvent.objects.filter(action__startswith="vote.").count(),
    )


def test_the_page_is_small_self_contained_and_in_the_holders_language(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    response = client.get(link_for(ballot, seats[0]))
    assert response.status_code == 200
    size = transferred(response)
    print(f"\nlow-bandwidth ballot page: {size} bytes ({len(response.content)} of HTML)")
    assert size <= MAX_BYTES
    body = response.content.decode()
    assert '<html lang="sw">' in body and response["Content-Language"] == "sw"
    # The only <link> is an empty icon, so the browser does not fetch /favicon.ico.
    assert body.count("<link") == 1 and '<link rel="icon" href="data:,">' in body
    for asset in ("<script", "<img", "src=", "url(", "@import", "<iframe"):
        assert asset not in body
    assert MOTION in text(response) and "Kolwezi cooperatives 1" in body
    assert body.count('type="radio"') == 3 and 'name="csrfmiddlewaretoken"' in body
    assert "no-store" in response["Cache-Control"]


def test_a_holder_votes_through_the_link_and_gets_a_receipt(group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    browser = Client(enforce_csrf_checks=True)  # as a phone would: cookie, then form
    url = link_for(ballot, seats[0])
    page = browser.get(url)
    asked = browser.post(url, {"option": "for", "csrfmiddlewaretoken": csrf_token(page)})
    assert in_swahili("Once cast, this link cannot change the vote. Confirm?") in text(asked)
    assert Participation.objects.count() == 0  # asking is not casting
    assert transferred(asked) <= MAX_BYTES and "<script" not in asked.text
    response = browser.post(url, hidden_fields(asked))
    assert response.status_code == 200
    participation = Participation.objects.get(ballot=ballot)
    assert (participation.seat, participation.cast_by, participation.cast_as) == (
        seats[0],
        holder,
        "holder",
    )
    assert participation.channel == "link"
    code = participation.receipt_code
    assert code in response.text and participation.choice.option.key == "for"
    size = transferred(response)
    print(f"\nlow-bandwidth receipt page: {size} bytes")
    assert size <= MAX_BYTES and "<script" not in response.text


def test_a_post_without_the_csrf_token_is_refused(group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(link_for(ballot, seats[0]), {"option": "for"})
    assert response.status_code == 403
    assert counts(ballot) == (0, 0, 0, 0)


def test_a_secret_ballot_vote_through_the_link(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule, secrecy="secret")
    _asked, response = vote_by_link(client, link_for(ballot, seats[0]), {"option": "against"})
    choice = SecretChoice.objects.get(ballot=ballot)
    assert Participation.objects.get(ballot=ballot).receipt_code in response.text
    assert choice.option.key == "against"


def test_a_replayed_link_casts_nothing_more(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)  # its rule allows changing a vote
    url = link_for(ballot, seats[0])
    _asked, first = vote_by_link(client, url, {"option": "for"})
    code = Participation.objects.get().receipt_code
    before = counts(ballot)
    for response in (client.get(url), client.post(url, {"option": "against"})):
        assert response.status_code == 200
        assert in_swahili("This seat has voted. This link cannot cast another vote.") in text(
            response
        )
        assert code not in response.text and 'type="radio"' not in response.text
    assert first.status_code == 200 and counts(ballot) == before
    assert RollCallChoice.objects.get().option.key == "for"


def test_a_seat_that_voted_on_the_web_cannot_vote_again_by_link(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    services.vote_cast(actor=holder, ballot=ballot, seat=seats[0], option_key="against")
    before = counts(ballot)
    response = client.post(link_for(ballot, seats[0]), {"option": "for"})
    assert (
        in_swahili("This seat has voted. This link cannot cast another vote.") in text(response)
        and counts(ballot) == before
    )


@pytest.mark.parametrize(
    "damage",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),  # signature
        lambda token: token.replace(".", ".9", 1),  # another ballot, same signature
        lambda token: "1.2.3:not-a-signature",
        lambda token: token.split(":")[0],  # no signature at all
    ],
    ids=["signature", "payload", "forged", "unsigned"],
)
def test_a_tampered_link_is_refused(client, group, miner, damage):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    token = ballot_links.make_token(RollEntry.objects.get(ballot=ballot, seat=seats[0]))
    url = f"/ballots/v/{damage(token)}/"
    for response in (client.get(url), client.post(url, {"option": "for"})):
        assert response.status_code == 404
        assert "This link is not valid" in text(response)
    assert counts(ballot) == (0, 0, 0, 0)


def test_a_link_is_bound_to_the_holder_on_the_roll(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    # A genuine signature over (ballot, seat, someone else): not the roll's holder.
    forged = ballot_links._signer().sign(f"{ballot.pk}.{seats[0].pk}.{other.pk}")
    response = client.post(f"/ballots/v/{forged}/", {"option": "for"})
    assert response.status_code == 404
    holder.is_active = False
    holder.save()
    response = client.post(link_for(ballot, seats[0]), {"option": "for"})
    assert response.status_code == 404
    assert counts(ballot) == (0, 0, 0, 0)


def test_the_link_stops_working_at_close(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule, closes=timezone.now() + datetime.timedelta(hours=1))
    url = link_for(ballot, seats[0])
    with time_machine.travel(ballot.closes_at, tick=False):  # time is up, not yet counted
        response = client.post(url, {"option": "for"})
    assert response.status_code == 410 and in_swahili(
        "This ballot has closed. The link no longer works."
    ) in text(response)
    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    for response in (client.get(url), client.post(url, {"option": "for"})):
        assert response.status_code == 410
        assert in_swahili("This ballot has closed. The link no longer works.") in text(response)
    assert counts(ballot) == (0, 0, 0, 0)


def test_before_opening_the_link_says_when(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule, opens=timezone.now() + datetime.timedelta(hours=2))
    response = client.post(link_for(ballot, seats[0]), {"option": "for"})
    opens_on = in_swahili("Voting opens on %(opens)s").split("%(opens)s")[0].strip()
    assert opens_on in text(response) and counts(ballot) == (0, 0, 0, 0)


def test_language_falls_back_to_the_request_and_can_be_chosen(client, group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    other_link = link_for(ballot, seats[1])  # this holder has no preferred language
    assert '<html lang="en">' in client.get(other_link).text
    assert '<html lang="fr">' in client.get("/fr" + other_link).text
    assert '<html lang="fr">' in client.get(link_for(ballot, seats[0]) + "?lang=fr").text
    assert '<html lang="sw">' in client.get(link_for(ballot, seats[0]) + "?lang=xx").text


def test_a_vacant_seat_has_no_link(group, miner):
    chair, seats, holder, other, rule = miner
    ballot = open_ballot(group, chair, rule)
    entry = RollEntry.objects.get(ballot=ballot, seat=seats[0])
    entry.holder = None
    with pytest.raises(ValueError):
        ballot_links.make_token(entry)
