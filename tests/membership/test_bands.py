"""Which band a declaration falls into: a table of cases at the band edges."""

from decimal import Decimal

import pytest

from membership import bands
from membership.bands import Band

D = Decimal
REFINER = [
    Band("refiner", "A", D(0), D(1000), D(25000)),
    Band("refiner", "B", D(1000), D(5000), D(60000)),
    Band("refiner", "C", D(5000), None, D(120000)),
]
SCHEDULE = [*REFINER, Band("financial", "A", D(0), None, D(10000))]


@pytest.mark.parametrize(
    ("link", "tonnes", "tier", "expected_tier", "amount"),
    [
        ("refiner", "0", "", "A", 25000),  # the lower edge belongs to the first band
        ("refiner", "0.01", "", "A", 25000),
        ("refiner", "999.99", "", "A", 25000),
        ("refiner", "1000", "", "B", 60000),  # an upper edge belongs to the next band
        ("refiner", "1000.01", "", "B", 60000),
        ("refiner", "4999.99", "", "B", 60000),
        ("refiner", "5000", "", "C", 120000),
        ("refiner", "499999", "", "C", 120000),  # the last band has no upper limit
        ("refiner", None, "B", "B", 60000),  # a declared band instead of tonnes
        ("refiner", "10", "C", "A", 25000),  # tonnes win over a declared band
        ("financial", None, "A", "A", 10000),
        ("asm_cooperative", None, "", "", 0),  # a link with no band pays nothing
        ("civil_society", "12", "", "", 0),
        ("government", None, "C", "", 0),
    ],
)
def test_assess_at_the_band_edges(link, tonnes, tier, expected_tier, amount):
    result = bands.assess(SCHEDULE, link, tonnes=None if tonnes is None else D(tonnes), tier=tier)
    assert (result.tier, result.amount) == (expected_tier, D(amount))


@pytest.mark.parametrize(
    ("tonnes", "tier", "message"),
    [
        (None, "", "Give your cobalt content per year in tonnes, or choose your band."),
        (D("-0.01"), "", "Tonnes cannot be negative."),
        (None, "F", "This link of the chain has no such band."),
    ],
)
def test_a_paying_link_needs_a_declaration_that_fits(tonnes, tier, message):
    with pytest.raises(bands.DeclarationError, match=message):
        bands.assess(SCHEDULE, "refiner", tonnes=tonnes, tier=tier)


def test_a_schedule_with_gaps_overlaps_or_a_closed_top_is_described():
    gap = [
        Band("refiner", "A", D(0), D(1000), D(1)),
        Band("refiner", "B", D(1200), None, D(2)),
    ]
    overlap = [
        Band("refiner", "A", D(0), D(1000), D(1)),
        Band("refiner", "B", D(900), None, D(2)),
    ]
    late_start = [Band("refiner", "A", D(10), None, D(1))]
    closed_top = [Band("refiner", "A", D(0), D(10), D(1))]
    twice = [Band("refiner", "A", D(0), D(10), D(1)), Band("refiner", "A", D(10), None, D(1))]
    assert bands.band_problems(REFINER) == []
    assert bands.band_problems(gap) == [
        "Refiner: each band must start where the one before it ends."
    ]
    assert bands.band_problems(overlap) == [
        "Refiner: each band must start where the one before it ends."
    ]
    assert bands.band_problems(late_start) == ["Refiner: the first band must start at 0 tonnes."]
    assert bands.band_problems(closed_top) == ["Refiner: the last band must have no upper limit."]
    assert bands.band_problems(twice) == ["Refiner: each band may appear only once."]
