"""A miner representative votes in Chromium through their personal signed link, in
Swahili, without JavaScript or any other request than the page itself; after the
ballot closes, the public bulletin shows their receipt code."""

import datetime
import html

import pytest
from django.utils import timezone, translation

from governance import ballot_links, services
from governance.models import Ballot, GroupRole, Participation, RollEntry, VotingRule
from tests.factories import ChamberFactory, SeatFactory, UserFactory, give_role, seat_person

pytestmark = pytest.mark.browser

TITLE_SW = "Kupitisha Kiwango cha Kobalti cha Wachimbaji Wadogo 2.0"
MOTION_SW = "Kikundi kazi kinapitisha toleo la 2.0 la kiwango."


@pytest.fixture
def secret_ballot(group):
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    miners = ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=miners, label=f"Kolwezi cooperatives {n}")
        for n in (1, 2)
    ]
    miner = seat_person(seats[0], person=UserFactory(preferred_language="sw")).person
    seat_person(seats[1])
    rule = VotingRule.objects.create(working_group=group, name="Two thirds", threshold="2/3")
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title="Adopt the Artisanal Cobalt Standard 2.0",
        motion="The working group adopts version 2.0 of the standard.",
        rule=rule,
        secrecy="secret",
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=2),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    # The miner reads Swahili: the ballot opens once its texts are approved in Swahili.
    translator, secretariat = UserFactory(), UserFactory()
    give_role(translator, group, GroupRole.TRANSLATOR)
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    for field, text in (("title", TITLE_SW), ("motion", MOTION_SW)):
        services.translation_draft(
            actor=translator, record=ballot, field=field, language="sw", text=text
        )
        services.translation_approve(actor=secretariat, record=ballot, field=field, language="sw")
    services.ballot_open(actor=chair, ballot=ballot)
    entry = RollEntry.objects.get(ballot=ballot, seat=seats[0])
    return ballot, miner, ballot_links.link_path(entry)


def test_a_miner_votes_in_swahili_by_link_and_finds_the_receipt_on_the_bulletin(
    browser_page, secret_ballot
):
    ballot, miner, path = secret_ballot
    page = browser_page
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    page.goto(path)
    assert page.locator("html").get_attribute("lang") == "sw"
    assert page.locator("script, link[rel=stylesheet], img").count() == 0
    assert page.get_by_role("heading", name=TITLE_SW).is_visible()
    assert page.get_by_text(MOTION_SW).is_visible()
    page.locator('input[name="option"][value="for"]').check()
    page.get_by_role("button").click()
    page.wait_for_load_state()
    # The vote is final: the page asks again, naming the choice, before casting it.
    assert Participation.objects.filter(ballot=ballot).count() == 0
    assert page.locator("strong").first.inner_text().strip() == _sw("For")
    page.get_by_role("button").click()
    page.wait_for_load_state()

    receipt = page.locator(".r").inner_text().strip()
    participation = Participation.objects.get(ballot=ballot)
    assert (participation.cast_by, participation.channel) == (miner, "link")
    assert len(receipt) == 10
    assert page.locator("html").get_attribute("lang") == "sw"
    # The page and its form post, nothing else: no script, style sheet, font or image.
    assert all("/ballots/v/" in url for url in requests), requests
    assert len(requests) == 3

    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    page.goto(path)
    with translation.override("sw"):
        closed = translation.gettext("This ballot has closed. The link no longer works.")
    assert closed in html.unescape(page.content())
    page.goto(f"/ballots/{ballot.pk}/bulletin/")
    assert receipt in page.locator("ul.receipt-list").inner_text()
    assert miner.public_name not in page.content()


def _sw(message: str) -> str:
    with translation.override("sw"):
        return translation.gettext(message)
