"""Composition rules as pure arithmetic: no database, no clock.

A rule's shortfall is how many seats the group is from meeting it; a change is
refused when it makes any shortfall worse (governance.composition).
"""

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.composition import Rules, SeatState, broken_rules, shortfalls
from governance.models import ChainLink, ReservedSeatRule


@dataclass(frozen=True)
class Org:
    is_non_profit: bool = False
    represents_artisanal_miners: bool = False
    country: str = "CD"
    chain_link: str = ChainLink.REFINER


FOR_PROFIT = Org()
NON_PROFIT = Org(is_non_profit=True, chain_link=ChainLink.CIVIL_SOCIETY)
CONGOLESE_MINERS = Org(represents_artisanal_miners=True, chain_link=ChainLink.ARTISANAL_COOPERATIVE)
RWANDAN_MINERS = Org(
    represents_artisanal_miners=True, country="RW", chain_link=ChainLink.ARTISANAL_COOPERATIVE
)

INDUSTRY, CIVIL_SOCIETY, SOUTH = 1, 2, 3  # SOUTH: a sub-chamber of CIVIL_SOCIETY


def seats(*holders, chamber=INDUSTRY, start=1):
    return [SeatState(start + i, frozenset({chamber}), holder) for i, holder in enumerate(holders)]


def rules(max_seats=None, minimums=(), reservations=()):
    return Rules(
        max_seats=max_seats, chamber_minimums=tuple(minimums), reservations=tuple(reservations)
    )


def non_profit_rule(n=3):
    return ReservedSeatRule(label=f"at least {n} non-profit", min_seats=n, require_non_profit=True)


def congolese_miners_rule():
    return ReservedSeatRule(
        label="at least 1 Congolese organisation representing artisanal miners",
        min_seats=1,
        require_represents_artisanal_miners=True,
        country="CD",
    )


# --- shortfalls -----------------------------------------------------------------


def test_a_group_without_rules_has_nothing_to_fall_short_of():
    assert shortfalls(seats(None, FOR_PROFIT), rules()) == {}


@pytest.mark.parametrize(("n_seats", "expected"), [(0, 0), (2, 0), (3, 1), (5, 3)])
def test_maximum_seats(n_seats, expected):
    assert shortfalls(seats(*[None] * n_seats), rules(max_seats=2)) == {"at most 2 seats": expected}


def test_chamber_minimum_counts_seats_in_the_chamber_and_its_sub_chambers():
    table = seats(None, chamber=INDUSTRY) + [
        SeatState(10, frozenset({CIVIL_SOCIETY}), None),
        SeatState(11, frozenset({SOUTH, CIVIL_SOCIETY}), FOR_PROFIT),
    ]
    result = shortfalls(
        table,
        rules(
            minimums=[
                ("civil society ≥ 3", CIVIL_SOCIETY, 3),
                ("south ≥ 1", SOUTH, 1),
                ("industry ≥ 1", INDUSTRY, 1),
            ]
        ),
    )
    assert result == {"civil society ≥ 3": 1, "south ≥ 1": 0, "industry ≥ 1": 0}


@pytest.mark.parametrize(
    ("for_profit_holders", "expected"),
    [(0, 0), (5, 0), (6, 0), (7, 1), (9, 3)],
    ids=lambda v: str(v),
)
def test_reserved_seats_count_vacancies_as_still_reservable(for_profit_holders, expected):
    """Nine seats, at least 3 non-profit: the 7th for-profit holder leaves only 2 seats for 3."""
    table = seats(*([FOR_PROFIT] * for_profit_holders + [None] * (9 - for_profit_holders)))
    assert shortfalls(table, rules(reservations=[non_profit_rule()])) == {
        "at least 3 non-profit": expected
    }


@pytest.mark.parametrize(
    ("seats_made", "for_profit_holders", "expected"),
    [(3, 3, 0), (6, 6, 0), (7, 7, 1), (9, 6, 0)],
)
def test_seats_not_yet_created_under_the_maximum_count_as_open_places(
    seats_made, for_profit_holders, expected
):
    """At most 9 seats, 3 reserved: a group that has made only some seats so far
    still keeps room for the reservation among the seats it may yet create."""
    held = [FOR_PROFIT] * for_profit_holders
    table = seats(*held, *[None] * (seats_made - for_profit_holders))
    result = shortfalls(table, rules(max_seats=9, reservations=[non_profit_rule()]))
    assert result["at least 3 non-profit"] == expected


def test_reserved_seats_count_matching_holders():
    table = seats(*([FOR_PROFIT] * 6 + [NON_PROFIT] * 3))
    assert shortfalls(table, rules(reservations=[non_profit_rule()])) == {
        "at least 3 non-profit": 0
    }


def test_every_criterion_of_a_reservation_must_match():
    rule = congolese_miners_rule()
    assert (
        shortfalls(seats(FOR_PROFIT, RWANDAN_MINERS), rules(reservations=[rule]))[rule.label] == 1
    )
    assert (
        shortfalls(seats(FOR_PROFIT, CONGOLESE_MINERS), rules(reservations=[rule]))[rule.label] == 0
    )


def test_all_rules_are_reported_together():
    table = seats(FOR_PROFIT, FOR_PROFIT, FOR_PROFIT)
    result = shortfalls(
        table,
        rules(
            max_seats=2,
            minimums=[("civil society ≥ 1", CIVIL_SOCIETY, 1)],
            reservations=[non_profit_rule(1)],
        ),
    )
    assert result == {"at most 2 seats": 1, "civil society ≥ 1": 1, "at least 1 non-profit": 1}


# --- ReservedSeatRule.matches (criteria left empty match anything) ----------------


@pytest.mark.parametrize(
    ("rule_kwargs", "org", "expected"),
    [
        ({}, FOR_PROFIT, True),
        ({}, None, False),
        ({"require_non_profit": True}, NON_PROFIT, True),
        ({"require_non_profit": True}, FOR_PROFIT, False),
        ({"country": "CD"}, RWANDAN_MINERS, False),
        ({"country": "CD", "require_represents_artisanal_miners": True}, CONGOLESE_MINERS, True),
        ({"chain_link": ChainLink.CIVIL_SOCIETY}, NON_PROFIT, True),
        ({"chain_link": ChainLink.CIVIL_SOCIETY, "require_non_profit": True}, FOR_PROFIT, False),
    ],
)
def test_reservation_criteria(rule_kwargs, org, expected):
    assert ReservedSeatRule(label="r", **rule_kwargs).matches(org) is expected


# --- broken_rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "broken"),
    [
        ({"a": 0}, {"a": 0}, []),
        ({"a": 0}, {"a": 1}, ["a"]),
        ({"a": 2}, {"a": 1}, []),  # filling a new group seat by seat is progress
        ({"a": 2}, {"a": 2}, []),  # a rule not yet met may stay unmet
        ({"a": 2}, {"a": 3}, ["a"]),  # but may not get further away
        ({}, {"new": 1}, ["new"]),
        ({"a": 1, "b": 0}, {"a": 0, "b": 1}, ["b"]),
    ],
)
def test_broken_rules_are_those_whose_shortfall_grows(before, after, broken):
    assert broken_rules(before, after) == broken


def test_the_seventh_for_profit_holder_breaks_the_non_profit_reservation():
    rule = non_profit_rule()
    six = seats(*([FOR_PROFIT] * 6 + [None] * 3))
    seven = seats(*([FOR_PROFIT] * 7 + [None] * 2))
    assert broken_rules(
        shortfalls(six, rules(reservations=[rule])), shortfalls(seven, rules(reservations=[rule]))
    ) == ["at least 3 non-profit"]


# --- Properties ------------------------------------------------------------------------

ORGS = st.sampled_from([FOR_PROFIT, NON_PROFIT, CONGOLESE_MINERS, RWANDAN_MINERS, None])
TABLES = st.lists(
    st.tuples(st.sampled_from([INDUSTRY, CIVIL_SOCIETY]), ORGS), min_size=0, max_size=12
).map(lambda rows: [SeatState(i, frozenset({c}), org) for i, (c, org) in enumerate(rows)])
RULES = st.builds(
    rules,
    max_seats=st.none() | st.integers(0, 12),
    minimums=st.just([("civil society ≥ 2", CIVIL_SOCIETY, 2)]),
    reservations=st.just([non_profit_rule(3), congolese_miners_rule()]),
)


@given(table=TABLES, rule_set=RULES, data=st.data())
def test_a_vacancy_never_breaks_a_rule(table, rule_set, data):
    """Why ending a term needs no composition check (services.seat_assignment_end)."""
    held = [i for i, s in enumerate(table) if s.holder_organisation is not None]
    if not held:
        return
    i = data.draw(st.sampled_from(held))
    after = [*table[:i], SeatState(table[i].seat_id, table[i].chamber_ids, None), *table[i + 1 :]]
    assert broken_rules(shortfalls(table, rule_set), shortfalls(after, rule_set)) == []


@given(table=TABLES, rule_set=RULES, chamber=st.sampled_from([INDUSTRY, CIVIL_SOCIETY]))
def test_a_new_vacant_seat_can_only_break_the_maximum(table, rule_set, chamber):
    after = [*table, SeatState(999, frozenset({chamber}), None)]
    broken = broken_rules(shortfalls(table, rule_set), shortfalls(after, rule_set))
    assert all(label.startswith("at most") for label in broken)


@given(table=TABLES, rule_set=RULES)
def test_shortfalls_are_never_negative(table, rule_set):
    assert all(short >= 0 for short in shortfalls(table, rule_set).values())
