"""A vote that cannot be changed afterwards is asked twice, without JavaScript: the
choice, then "You chose X. Confirm?". Asking records nothing; the confirmation carries
the form's idempotency key. A vote that can still be changed is cast at once."""

import html
import re

import pytest
from django.urls import reverse

from governance import ballot_links
from governance.models import Participation, RollEntry, VotingRule
from tests.governance.test_vote_idempotency import make_scene, open_ballot


def text(response) -> str:
    return html.unescape(response.content.decode())


def hidden(response) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.content.decode()
        )
    }


def web_form(client, ballot, seat) -> dict[str, str]:
    page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    prefix = f"seat-{seat.pk}-"
    key = hidden(page)[f"{prefix}idempotency_key"]
    return {f"{prefix}idempotency_key": key, f"{prefix}option": "against", f"{prefix}reason": ""}


@pytest.mark.parametrize(
    ("secrecy", "allow_change", "asks"),
    [
        ("secret", True, True),  # a secret vote is never changed
        ("roll_call", False, True),  # the rule allows no change
        ("roll_call", True, False),  # may be changed until close: cast at once
    ],
)
def test_a_final_web_vote_asks_for_confirmation_first(client, group, secrecy, allow_change, asks):
    scene = make_scene(group, allow_vote_change=allow_change)
    ballot = open_ballot(scene, secrecy)
    seat = scene.seats[0]
    client.force_login(scene.holders[0])
    data = web_form(client, ballot, seat)
    url = reverse("ballots:vote", args=[ballot.pk, seat.pk])
    response = client.post(url, data)
    if not asks:
        assert response.templates[0].name == "governance/ballots/receipt.html"
        assert Participation.objects.filter(ballot=ballot).count() == 1
        return
    assert response.status_code == 200
    assert response.templates[0].name == "governance/ballots/confirm.html"
    assert "You chose: Against." in " ".join(text(response).split()).replace(
        "<strong>", ""
    ).replace("</strong>", "")
    assert "no-store" in response["Cache-Control"]
    assert not Participation.objects.filter(ballot=ballot).exists()  # asking is not casting
    confirmation = hidden(response)
    prefix = f"seat-{seat.pk}-"
    assert confirmation[f"{prefix}idempotency_key"] == data[f"{prefix}idempotency_key"]
    assert confirmation[f"{prefix}option"] == "against" and confirmation[f"{prefix}confirmed"]
    assert "<script" not in response.content.decode().split("<main", 1)[1]

    receipt = client.post(url, confirmation)
    assert receipt.templates[0].name == "governance/ballots/receipt.html"
    participation = Participation.objects.get(ballot=ballot)
    assert participation.receipt_code in text(receipt)
    assert participation.idempotency_key == data[f"{prefix}idempotency_key"]
    # The confirmation sent again: the same receipt, nothing more.
    again = client.post(url, confirmation)
    assert participation.receipt_code in text(again) and "already been sent" in text(again)
    assert Participation.objects.filter(ballot=ballot).count() == 1


def test_the_ballot_page_warns_that_the_vote_will_be_final(client, group):
    scene = make_scene(group, allow_vote_change=False)
    ballot = open_ballot(scene, "roll_call")
    client.force_login(scene.holders[0])
    page = client.get(reverse("ballots:detail", args=[ballot.pk]))
    assert "You will be asked to confirm" in text(page)


def test_going_back_from_the_confirmation_casts_nothing(client, group):
    scene = make_scene(group)
    ballot = open_ballot(scene, "secret")
    link = ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=scene.seats[1]))
    asked = client.post(link, {**{"option": "for", "reason": "", "idempotency_key": "k-1"}})
    assert "Confirm my vote" in text(asked)
    assert f'href="{link}"' in asked.content.decode()  # back to the choice, a plain link
    page = client.get(link)
    assert 'type="radio"' in page.content.decode()
    assert not Participation.objects.filter(ballot=ballot).exists()


def test_a_tampered_confirmation_is_checked_like_any_vote(client, group):
    """The confirmed flag only skips the question: the service still checks the choice."""
    scene = make_scene(group)
    ballot = open_ballot(scene, "secret")
    VotingRule.objects.filter(pk=scene.rule.pk).update(allow_vote_change=False)
    link = ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=scene.seats[0]))
    response = client.post(
        link, {"option": "not-a-choice", "idempotency_key": "k-2", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert not Participation.objects.filter(ballot=ballot).exists()
