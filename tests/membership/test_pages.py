"""The public member pages: directory, profile, chain map, calculator; each with a
query count that stays flat as members are added."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import ChainLink, MembershipStatus, WorkingGroupStatus
from membership import services
from membership.models import Contribution
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

pytestmark = pytest.mark.django_db

LINKS = [value for value, _label in ChainLink.choices]


def make_members(count: int, chamber=None, start: int = 0):
    return [
        OrganisationFactory(
            name=f"Member {n:03d}",
            chain_link=LINKS[n % len(LINKS)],
            country=("CD", "BE", "CN")[n % 3],
            chamber=chamber,
        )
        for n in range(start, start + count)
    ]


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.text


@pytest.mark.parametrize(
    "url", ["/members/", "/members/?link=refiner&country=CD", "/chain/", "/chain/?country=BE", "/"]
)
def test_directory_map_and_home_run_the_same_queries_for_10_or_120_members(client, url):
    """Directory: members, countries, chambers. Map: members, countries. Home: as before,
    plus the map's one query. Equal whatever the number of members."""
    from cms.demo import pages

    pages.load()
    chamber = ChamberFactory(name="Industry")
    make_members(10, chamber)
    client.get(url)  # the first request fills per-process caches (sites, locales)
    few, _ = queries(client, url)
    make_members(110, chamber, start=10)
    many, _ = queries(client, url)
    assert few == many


def test_the_map_and_directory_show_every_member_at_its_link(client):
    members = make_members(len(LINKS))
    OrganisationFactory(name="Hopeful", membership_status=MembershipStatus.APPLICANT)
    page = client.get("/chain/").text
    for organisation in members:
        section = re.search(
            rf'id="at-{organisation.chain_link}".*?</(section|li)>\s*(<section|<li class="chain-node"|</ul>\s*</section>|</li>)',
            page,
            re.S,
        )
        assert section and organisation.name in section.group(0), organisation.chain_link
    assert "Hopeful" not in page
    # Without CSS the map is a list: stages in order, from the mine to the product.
    order = [
        page.index(f'id="at-{link}"')
        for link in (
            "asm_cooperative",
            "trader",
            "refiner",
            "precursor_cathode",
            "battery_cell",
            "automotive",
            "electronics",
        )
    ]
    assert order == sorted(order)
    assert '<ol class="chain-stages"' in page
    belgian = client.get("/chain/?country=BE").text
    assert all((o.name in belgian) == (o.country == "BE") for o in members)
    refiners = client.get("/members/?link=refiner").text
    assert all((o.name in refiners) == (o.chain_link == "refiner") for o in members)
    assert "Hopeful" not in client.get("/members/").text


def test_the_directory_filters_by_chamber_including_sub_chambers(client):
    industry = ChamberFactory(name="Industry")
    upstream = ChamberFactory(name="Upstream", parent=industry)
    OrganisationFactory(name="Upstream Refiner", chamber=upstream)
    OrganisationFactory(name="Civil Watch", chamber=ChamberFactory(name="Civil society"))
    page = client.get("/members/?chamber=industry").text
    assert "Upstream Refiner" in page and "Civil Watch" not in page


@pytest.fixture
def profile_scene(secretariat, schedule):
    organisation = OrganisationFactory(name="Katanga Refining", slug="katanga-refining")
    group = WorkingGroupFactory(name="ASM Cobalt Framework")
    closed = WorkingGroupFactory(name="Old group", status=WorkingGroupStatus.CLOSED)
    holder = UserFactory(display_name="Amani Kabongo", organisation=organisation)
    for label in ("Industry 1", "Industry 2"):
        seat_person(
            SeatFactory(working_group=group, label=label), person=holder, organisation=organisation
        )
    seat_person(SeatFactory(working_group=closed, label="Hidden"), organisation=organisation)
    observer_group = WorkingGroupFactory(name="Steering Committee")
    give_role(UserFactory(organisation=organisation), observer_group, "observer")
    services.membership_declare(
        actor=secretariat, organisation=organisation, tonnes=Decimal(2600), contact=holder
    )
    services.contributions_assess(actor=secretariat, year=schedule.year)
    contribution = Contribution.objects.get(organisation=organisation)
    services.payment_record(
        actor=secretariat,
        contribution=contribution,
        amount=Decimal(10000),
        received_on=datetime.date.today(),
    )
    return organisation, holder, contribution


def test_the_profile_shows_seats_holders_and_groups_and_hides_money(client, profile_scene):
    organisation, holder, _contribution = profile_scene
    page = client.get("/members/katanga-refining/").text
    assert "Industry 1" in page and "Industry 2" in page and "Amani Kabongo" in page
    assert "ASM Cobalt Framework" in page and "Steering Committee" in page
    assert "Old group" not in page and "Hidden" not in page
    assert "60,000.00" not in page and "Your contributions" not in page


def test_the_members_own_people_see_band_contribution_and_payment_status(client, profile_scene):
    organisation, holder, _contribution = profile_scene
    client.force_login(holder)
    page = client.get("/members/katanga-refining/").text
    assert "Your contributions" in page and "Band B" in page
    assert "60,000.00" in page and "10,000.00" in page and "Partly paid" in page
    client.force_login(UserFactory())  # someone else
    assert "Your contributions" not in client.get("/members/katanga-refining/").text


def test_an_opted_in_band_is_public(client, profile_scene):
    organisation, holder, _contribution = profile_scene
    services.membership_publish(actor=holder, organisation=organisation, publish=True)
    page = client.get("/members/katanga-refining/").text
    assert "Published by the member" in page and "Band B" in page and "60,000.00" in page


def test_the_profile_runs_the_same_queries_with_few_or_many_seats(client, profile_scene):
    """Organisation with its membership, seat assignments, roles, published contributions,
    plus the page's own; equal whatever the number of seats."""
    organisation, holder, _ = profile_scene
    client.get("/members/katanga-refining/")  # per-process caches
    few, _ = queries(client, "/members/katanga-refining/")
    group = WorkingGroupFactory(name="Another group")
    for n in range(15):
        seat_person(SeatFactory(working_group=group, label=f"Seat {n}"), organisation=organisation)
    many, page = queries(client, "/members/katanga-refining/")
    assert "Seat 14" in page and few == many


def test_invoices_download_only_for_the_members_people(client, profile_scene, secretariat):
    organisation, holder, contribution = profile_scene
    invoice = services.invoice_issue(actor=secretariat, contribution=contribution)
    url = f"/members/katanga-refining/invoices/{invoice.number}.pdf"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(holder)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "no-store" in response["Cache-Control"]


def test_a_non_member_has_no_profile(client):
    OrganisationFactory(slug="hopeful", membership_status=MembershipStatus.APPLICANT)
    assert client.get("/members/hopeful/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("calc-chain_link=refiner&calc-declared_tonnes=999.99", "Band A: 25,000.00 USD a year"),
        ("calc-chain_link=refiner&calc-declared_tonnes=1000", "Band B: 60,000.00 USD a year"),
        ("calc-chain_link=refiner&calc-declared_tier=C", "Band C: 120,000.00 USD a year"),
        ("calc-chain_link=asm_cooperative", "Nothing to pay"),
        ("calc-chain_link=refiner&calc-declared_tonnes=-3", "Tonnes cannot be negative."),
        ("calc-chain_link=refiner", "Give your cobalt content per year in tonnes"),
        (
            "calc-chain_link=moon",
            "Choose your organisation&#x27;s link in the chain from the list.",
        ),
    ],
)
def test_the_calculator_answers_on_the_page_and_alone(client, schedule, query, expected):
    assert expected in client.get(f"/join/?{query}").text
    fragment = client.get(f"/join/calculate/?{query}").text
    assert expected in fragment and "<html" not in fragment


def test_the_calculator_speaks_swahili(client, schedule):
    page = client.get("/sw/join/?calc-chain_link=refiner&calc-declared_tonnes=1000").text
    result = re.search(r'id="calculator-result".*?</div>', page, re.S).group(0)
    assert "Daraja B:" in result and "USD kwa mwaka (ratiba ya" in result, result


def test_get_involved_is_linked_from_home_and_footer(client):
    from cms.demo import pages

    pages.load()
    home = client.get("/").text
    assert home.count('href="/join/"') >= 2  # the chain section and the footer
    assert 'href="/sw/join/"' in client.get("/sw/").text
    assert client.get("/apply/").url == "/join/"


def test_a_damaged_answer_link_says_so(client):
    response = client.get("/fr/join/answer/nonsense/")
    assert response.status_code == 400 and "Ce lien n’est pas valide" in response.text
