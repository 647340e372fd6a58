"""The contribution schedule as versioned data, assessment, payments, invoices and the
public figures."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from governance.models import AuditEvent, MembershipStatus
from membership import services, transparency
from membership.invoices import invoice_lines
from membership.models import (
    Contribution,
    ContributionBand,
    ContributionSchedule,
    Invoice,
    Membership,
    Payment,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.membership.conftest import make_schedule

D = Decimal
TODAY = datetime.date(2026, 7, 1)


def edited(schedule, **amounts):
    """The schedule as the admin form hands it over: bands changed in memory only."""
    copy = ContributionSchedule.objects.get(pk=schedule.pk)
    copy.bands = [
        ContributionBand(
            chain_link=b.chain_link,
            tier=b.tier,
            min_tonnes=b.min_tonnes,
            max_tonnes=b.max_tonnes,
            amount=D(amounts.get(f"{b.chain_link}_{b.tier}", b.amount)),
        )
        for b in schedule.bands.all()
    ]
    return copy


def bands_of(year):
    return {
        (b.chain_link, b.tier): b.amount
        for b in ContributionBand.objects.filter(schedule__year=year)
    }


def test_changing_the_schedule_in_force_makes_next_years_version(secretariat):
    past, current = make_schedule(2025), make_schedule(2026)
    before = bands_of(2026)
    stored = services.schedule_save(
        actor=secretariat, schedule=edited(current, refiner_C=150000), today=TODAY
    )
    assert stored.year == 2027 and stored.pk != current.pk
    assert bands_of(2026) == before  # the year in force stays as it was
    assert bands_of(2027)[("refiner", "C")] == D(150000)
    event = AuditEvent.objects.get(action="contribution_schedule.created")
    assert event.payload["revised_from"] == 2026
    # Next year's schedule is not in force yet: it changes in place.
    again = services.schedule_save(
        actor=secretariat, schedule=edited(stored, refiner_A=30000), today=TODAY
    )
    assert again.pk == stored.pk and bands_of(2027)[("refiner", "A")] == D(30000)
    # A past year's schedule: the change would go to 2027, which has its own.
    with pytest.raises(ValidationError, match="2027 already has its own schedule"):
        services.schedule_save(actor=secretariat, schedule=edited(past, refiner_A=1), today=TODAY)
    assert bands_of(2025)[("refiner", "A")] == D(25000)


def test_a_schedule_is_never_made_for_a_past_year_nor_with_broken_bands(secretariat):
    with pytest.raises(ValidationError, match="this year or a later one"):
        services.schedule_save(
            actor=secretariat, schedule=ContributionSchedule(year=2025), today=TODAY
        )
    broken = ContributionSchedule(year=2027)
    broken.bands = [
        ContributionBand(chain_link="refiner", tier="A", min_tonnes=0, max_tonnes=100, amount=1),
        ContributionBand(chain_link="refiner", tier="B", min_tonnes=150, amount=2),
    ]
    with pytest.raises(ValidationError, match="must start where the one before it ends"):
        services.schedule_save(actor=secretariat, schedule=broken, today=TODAY)
    assert not ContributionSchedule.objects.exists()


def test_only_the_secretariat_keeps_the_schedule(person):
    with pytest.raises(PermissionDenied):
        services.schedule_save(actor=person, schedule=ContributionSchedule(year=2030))


def test_a_year_without_its_own_schedule_keeps_the_last_one(db):
    make_schedule(2024)
    assert services.schedule_for(2026).year == 2024
    assert services.schedule_for(2023) is None


@pytest.fixture
def members(secretariat, schedule):
    refiner = OrganisationFactory(name="Katanga Refining", chain_link="refiner")
    carmaker = OrganisationFactory(name="Autovolt", chain_link="automotive")
    coop = OrganisationFactory(name="Kasulo Coop", chain_link="asm_cooperative")
    contact = UserFactory(organisation=refiner, preferred_language="fr")
    services.membership_declare(
        actor=secretariat, organisation=refiner, tonnes=D(2600), contact=contact
    )
    services.membership_declare(actor=secretariat, organisation=carmaker, tier="A")
    return refiner, carmaker, coop, contact


def test_assessing_a_year_uses_each_declaration_once(secretariat, schedule, members):
    refiner, carmaker, coop, _contact = members
    year = schedule.year
    created = services.contributions_assess(actor=secretariat, year=year)
    amounts = {c.organisation.name: (c.tier, c.amount) for c in created}
    assert amounts == {
        "Katanga Refining": ("B", D(60000)),
        "Autovolt": ("A", D(15000)),
        "Kasulo Coop": ("", D(0)),
    }
    services.membership_declare(actor=secretariat, organisation=refiner, tonnes=D(9000))
    assert services.contributions_assess(actor=secretariat, year=year) == []
    assert Contribution.objects.get(organisation=refiner, year=year).amount == D(60000)


def test_payments_and_invoices(secretariat, schedule, members, committed):
    refiner, *_rest, contact = members
    services.contributions_assess(actor=secretariat, year=schedule.year)
    contribution = Contribution.objects.get(organisation=refiner)
    services.payment_record(
        actor=secretariat, contribution=contribution, amount="20000", received_on=TODAY
    )
    with pytest.raises(ValidationError, match="40000.00 USD remains due"):
        services.payment_record(
            actor=secretariat, contribution=contribution, amount="40000.01", received_on=TODAY
        )
    for bad in ("0", "-5", "abc"):
        with pytest.raises(ValidationError):
            services.payment_record(
                actor=secretariat, contribution=contribution, amount=bad, received_on=TODAY
            )
    assert Payment.objects.count() == 1
    with committed():
        invoice = services.invoice_issue(actor=secretariat, contribution=contribution)
    assert (invoice.number, invoice.amount_due) == (f"CT-{schedule.year}-0001", D(40000))
    sent = mail.outbox[-1]
    assert sent.to == [contact.email] and "Facture" in sent.subject
    name, pdf, mimetype = sent.attachments[0]
    assert (name, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF")
    assert ("Amount due", "40,000.00 USD") in invoice_lines(invoice)
    services.payment_record(
        actor=secretariat, contribution=contribution, amount="40000", received_on=TODAY
    )
    with pytest.raises(ValidationError, match="nothing to invoice"):
        services.invoice_issue(actor=secretariat, contribution=contribution)
    assert Invoice.objects.count() == 1


def test_nobody_but_the_secretariat_records_money(person, secretariat, schedule, members):
    services.contributions_assess(actor=secretariat, year=schedule.year)
    contribution = Contribution.objects.filter(amount__gt=0).first()
    with pytest.raises(PermissionDenied):
        services.payment_record(
            actor=person, contribution=contribution, amount="1", received_on=TODAY
        )
    with pytest.raises(PermissionDenied):
        services.invoice_issue(actor=person, contribution=contribution)


# --- Public figures ----------------------------------------------------------------


def entry(org, link, amount, paid=None, published=False):
    return transparency.Entry(
        org, link, D(amount), D(paid if paid is not None else amount), published
    )


def test_a_link_with_few_payers_is_counted_with_others_and_never_shows_a_company():
    pool = transparency.pool_year(
        2026,
        "USD",
        [
            entry(1, "refiner", 60000),
            entry(2, "refiner", 25000),
            entry(3, "refiner", 25000, paid=0),
            entry(4, "automotive", 15000),  # alone at its link
            entry(5, "electronics", 10000),  # alone at its link
        ],
    )
    # The two single links folded together would still let each company work out the
    # other's amount: the refiners join them, and no link is shown on its own.
    assert pool.cells == []
    assert (pool.combined.members, pool.combined.due, pool.combined.received) == (
        5,
        D(135000),
        D(110000),
    )
    assert (pool.due, pool.received, pool.withheld) == (D(135000), D(110000), False)


def test_folding_pulls_in_the_smallest_shown_link_when_needed():
    pool = transparency.pool_year(
        2026,
        "USD",
        [
            *[entry(i, "refiner", 1000) for i in range(3)],
            *[entry(10 + i, "battery_cell", 2000) for i in range(4)],
            entry(20, "automotive", 15000),
        ],
    )
    assert [c.label for c in pool.cells] == ["Battery-cell maker"]
    assert (pool.combined.members, pool.combined.due) == (4, D(18000))
    assert pool.due == D(26000)


def test_a_year_with_fewer_than_three_payers_is_withheld_unless_they_all_publish():
    assert transparency.pool_year(
        2026, "USD", [entry(1, "refiner", 5), entry(2, "refiner", 7)]
    ).withheld
    shown = transparency.pool_year(
        2026,
        "USD",
        [entry(1, "refiner", 5, published=True), entry(2, "automotive", 7, published=True)],
    )
    assert not shown.withheld and [c.members for c in shown.cells] == [1, 1]


def test_the_public_page_shows_pooled_totals_and_programme_funding(
    client, secretariat, schedule, members
):
    refiner, carmaker, *_ = members
    services.contributions_assess(actor=secretariat, year=schedule.year)
    for organisation in (refiner, carmaker):
        c = Contribution.objects.get(organisation=organisation)
        services.payment_record(
            actor=secretariat, contribution=c, amount=c.amount, received_on=TODAY
        )
    from membership.models import ProgrammeFunding

    services.programme_funding_save(
        actor=secretariat,
        funding=ProgrammeFunding(year=schedule.year, amount=D(50000), note="Safety kits"),
    )
    page = client.get("/contributions/").text
    assert "50,000.00" in page and "Safety kits" in page
    assert "Fewer than 3 members contributed this year" in page  # two payers only
    assert "60,000.00" not in page and "Katanga Refining" not in page
    services.membership_publish(actor=refiner.people.first(), organisation=refiner, publish=True)
    page = client.get("/contributions/").text
    assert "Katanga Refining" in page and "60,000.00" in page
    assert Membership.objects.get(organisation=refiner).publish_contribution


def test_only_its_own_people_publish_a_members_contribution(person, secretariat, schedule, members):
    refiner, *_ = members
    with pytest.raises(PermissionDenied):
        services.membership_publish(actor=person, organisation=refiner, publish=True)
    assert refiner.membership_status == MembershipStatus.MEMBER
