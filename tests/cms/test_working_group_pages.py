import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

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
