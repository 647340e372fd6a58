import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.demo import pages
from governance.models import SeatRole
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)


@pytest.fixture
def site(db):
    return pages.load()


@pytest.fixture
def table(site):
    group = WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt-framework")
    industry = ChamberFactory(name="Industry", sort_order=1)
    miners = ChamberFactory(name="Artisanal miners", sort_order=4)
    refinery = OrganisationFactory(name="Katanga Cobalt Refining")
    seat_person(
        SeatFactory(working_group=group, chamber=industry, label="Industry 1"),
        organisation=refinery,
        person=UserFactory(display_name="Aline Kazadi", email="aline@refinery.example"),
    )
    seat_person(
        SeatFactory(working_group=group, chamber=industry, label="Industry 1b"),
        role=SeatRole.ALTERNATE,
        organisation=refinery,
    )
    SeatFactory(working_group=group, chamber=miners, label="Miners 1")
    give_role(UserFactory(display_name="Amani Kabongo"), group, "chair")
    return group


def test_group_page_shows_who_sits_at_the_table_by_chamber(client, table):
    response = client.get("/working-groups/asm-cobalt-framework/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Amani Kabongo" in html  # the chair
    assert html.index("Industry") < html.index("Artisanal miners")
    assert "Katanga Cobalt Refining" in html and "Aline Kazadi" in html
    assert "Vacant" in html  # the miners' seat has no holder
    assert "@" not in html.split("<main", 1)[1]  # no email address on a public page


def test_a_past_holder_no_longer_shows(client, table):
    seat = table.seats.get(label="Miners 1")
    seat_person(
        seat,
        person=UserFactory(display_name="Former Holder"),
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2021, 1, 1),
    )
    html = client.get("/working-groups/asm-cobalt-framework/").content.decode()
    assert "Former Holder" not in html


def test_unknown_group_is_404(client, site):
    assert client.get("/working-groups/no-such-group/").status_code == 404


def test_index_and_home_list_the_groups(client, table):
    assert "ASM Cobalt Framework" in client.get("/working-groups/").content.decode()
    home = client.get("/").content.decode()
    assert "The whole chain, at one table." in home
    assert 'href="/working-groups/asm-cobalt-framework/"' in home


def _fill(group, n):
    chamber = ChamberFactory(name=f"Chamber for {n}")
    for i in range(n):
        seat = SeatFactory(working_group=group, chamber=chamber, label=f"Extra {n}-{i}")
        seat_person(seat)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_group_page_queries_do_not_grow_with_seats(client, table):
    """Same number of queries for 10 and for 60 more seats (no N+1)."""
    url = "/working-groups/asm-cobalt-framework/"
    _fill(table, 10)
    client.get(url)  # warm Wagtail's site cache
    few = _queries(client, url)
    _fill(table, 50)
    assert _queries(client, url) == few


def test_home_and_index_queries_do_not_grow_with_groups(client, table):
    client.get("/")
    home, index = _queries(client, "/"), _queries(client, "/working-groups/")
    for _ in range(20):
        _fill(WorkingGroupFactory(), 2)
    assert _queries(client, "/") == home
    assert _queries(client, "/working-groups/") == index


# --- ballots, comment periods and the secretariat's buttons -------------------------------


def _scene(group):
    """A standard with a public and a members-only round open, a past public round, and
    ballots in each state."""
    from consultations.models import Audience
    from governance.models import BallotStatus
    from tests.cms.test_transparency import make_ballot
    from tests.consultations.test_views import period, standard, version

    now = timezone.now()
    std = standard(group, title="ASM Cobalt Standard")
    draft = version(std, "2.0")
    periods = {
        "public": period(draft),
        "members": period(version(std, "2.1"), audience=Audience.MEMBERS),
        "past": period(
            draft,
            opens_at=now - datetime.timedelta(days=90),
            closes_at=now - datetime.timedelta(days=20),
        ),
        "upcoming": period(draft, opens_at=now + datetime.timedelta(days=3)),
    }
    ballots = {
        "open": make_ballot(group, title="OPEN-BALLOT"),
        "upcoming": make_ballot(
            group,
            title="UPCOMING-BALLOT",
            opens_at=now + datetime.timedelta(days=2),
            closes_at=now + datetime.timedelta(days=9),
        ),
        "past": make_ballot(group, status=BallotStatus.CERTIFIED, title="PAST-BALLOT"),
        "draft": make_ballot(group, status=BallotStatus.DRAFT, title="DRAFT-BALLOT"),
    }
    return std, draft, periods, ballots


def _main(response) -> str:
    return response.content.decode().split("<main", 1)[1]


def test_group_page_lists_ballots_and_periods_by_state(client, table):
    _std, _draft, periods, ballots = _scene(table)
    page = _main(client.get("/working-groups/asm-cobalt-framework/"))
    for key in ("public", "past", "upcoming"):
        assert f'href="/consultations/{periods[key].pk}/"' in page
    for key in ("open", "upcoming", "past"):
        assert f'href="/ballots/{ballots[key].pk}/"' in page
    assert page.index("OPEN-BALLOT") < page.index("UPCOMING-BALLOT") < page.index("PAST-BALLOT")
    # A stranger never sees a members-only round nor a draft, nor the buttons.
    assert f"/consultations/{periods['members'].pk}/" not in page
    assert "DRAFT-BALLOT" not in page
    assert "New ballot" not in page and "New comment period" not in page
    assert 'href="/ballots/group/asm-cobalt-framework/"' in page  # every ballot


def test_members_see_members_only_rounds_but_no_buttons(client, table):
    _std, _draft, periods, _ballots = _scene(table)
    member = table.seats.get(label="Industry 1").assignments.first().person
    client.force_login(member)
    response = client.get("/working-groups/asm-cobalt-framework/")
    page = _main(response)
    assert f'href="/consultations/{periods["members"].pk}/"' in page
    assert "members only" in page
    assert "DRAFT-BALLOT" not in page
    assert "New ballot" not in page and "New comment period" not in page
    assert "private" in response["Cache-Control"]


def test_the_anonymous_page_cache_never_stores_a_members_page(table, settings):
    from django.test import Client

    settings.PAGE_CACHE = True
    _std, _draft, periods, _ballots = _scene(table)
    member = table.seats.get(label="Industry 1").assignments.first().person
    as_member = Client()
    as_member.force_login(member)
    url = "/working-groups/asm-cobalt-framework/"
    assert f"/consultations/{periods['members'].pk}/" in as_member.get(url).content.decode()
    first, second = Client().get(url), Client().get(url)
    assert first.headers.get("X-Page-Cache") == "miss"
    assert second.headers.get("X-Page-Cache") == "hit"
    for response in (first, second):
        assert f"/consultations/{periods['members'].pk}/" not in response.content.decode()
        assert "members only" not in response.content.decode()


@pytest.mark.parametrize("role", ["chair", "secretariat"])
def test_chair_and_secretariat_get_new_ballot_and_new_comment_period(client, table, role):
    std, draft, _periods, ballots = _scene(table)
    person = UserFactory()
    give_role(person, table, role)
    client.force_login(person)
    page = _main(client.get("/working-groups/asm-cobalt-framework/"))
    assert 'href="/ballots/group/asm-cobalt-framework/new/"' in page and "New ballot" in page
    # The newest version still in drafting or consultation (2.1) goes out for comment.
    newest = std.versions.get(label="2.1")
    assert f'href="/admin/consultations/drafts/{newest.pk}/schedule/"' in page
    assert "New comment period: ASM Cobalt Standard, version 2.1" in page
    assert "DRAFT-BALLOT" in page  # their drafts
    # The buttons lead to working screens.
    assert client.get("/ballots/group/asm-cobalt-framework/new/").status_code == 200
    assert client.get(f"/admin/consultations/drafts/{newest.pk}/schedule/").status_code == 200


def test_group_page_queries_stay_flat_as_ballots_grow(client, table):
    from governance.models import BallotStatus
    from tests.cms.test_transparency import make_ballot

    chair = UserFactory()
    give_role(chair, table, "chair")
    client.force_login(chair)
    _scene(table)
    url = "/working-groups/asm-cobalt-framework/"

    def add(n):
        for i in range(n):
            for status in (BallotStatus.OPEN, BallotStatus.DRAFT, BallotStatus.CLOSED):
                make_ballot(table, status=status, title=f"{status} {i}")

    add(3)
    client.get(url)
    few = _queries(client, url)
    add(30)
    assert _queries(client, url) == few
