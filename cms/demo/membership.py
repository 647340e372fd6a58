"""Joining and contributions for the demo: last year's schedule and this year's revision,
every member's declaration, two years of contributions and payments, what went to the
programme at the mine, and three applications waiting for the secretariat."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from governance import services as governance_services
from governance.models import MembershipStatus, Organisation
from membership import services
from membership.models import (
    Application,
    Contribution,
    ContributionBand,
    ContributionSchedule,
    Membership,
    Payment,
    ProgrammeFunding,
)

# (link, [(tier, from tonnes, up to tonnes or None, yearly amount in USD)])
BANDS = [
    ("trader", [("A", 0, 100, 2000), ("B", 100, 1000, 8000), ("C", 1000, None, 20000)]),
    (
        "industrial_miner",
        [("A", 0, 1000, 20000), ("B", 1000, 10000, 50000), ("C", 10000, None, 100000)],
    ),
    ("refiner", [("A", 0, 1000, 25000), ("B", 1000, 5000, 60000), ("C", 5000, None, 120000)]),
    (
        "precursor_cathode",
        [("A", 0, 1000, 25000), ("B", 1000, 5000, 60000), ("C", 5000, None, 120000)],
    ),
    ("battery_cell", [("A", 0, 500, 20000), ("B", 500, 2000, 50000), ("C", 2000, None, 100000)]),
    ("automotive", [("A", 0, 200, 15000), ("B", 200, 1000, 40000), ("C", 1000, None, 90000)]),
    ("electronics", [("A", 0, 50, 10000), ("B", 50, 200, 25000), ("C", 200, None, 60000)]),
    ("financial", [("A", 0, None, 10000)]),
]
# This year's revision raised the battery makers' and carmakers' top bands.
REVISED = {("battery_cell", "C"): 110000, ("automotive", "C"): 100000}

# organisation → (tonnes of cobalt content a year, or None; declared band; contact username)
DECLARATIONS = {
    "Kanina Buying Station": (350, "", None),
    "Lualaba Industrial Mining": (4200, "", None),
    "Katanga Cobalt Refining": (2600, "", None),
    "Eastern Precursor Materials": (7800, "", None),
    "NordCell Batteries": (900, "", None),
    "Autovolt Motors": (650, "", "commenter"),
    "Brightline Electronics": (120, "", None),
    "Green Metals Fund": (None, "A", "observer"),
}
PUBLISHED = ("Autovolt Motors", "NordCell Batteries")
# Share of this year's contribution received so far.
PAID_THIS_YEAR = {
    "Kanina Buying Station": Decimal(1),
    "Katanga Cobalt Refining": Decimal("0.5"),
    "Autovolt Motors": Decimal(1),
    "NordCell Batteries": Decimal(1),
    "Green Metals Fund": Decimal(1),
}

DESCRIPTIONS = {
    "Coopérative Minière Artisanale de Kolwezi": (
        "A cooperative of some 1,200 artisanal miners working the Kasulo and Kanina sites "
        "around Kolwezi."
    ),
    "Katanga Cobalt Refining": "Refines cobalt hydroxide from Lualaba into cobalt sulphate.",
    "Autovolt Motors": "Builds electric cars and vans in Germany and Poland.",
    "Fair Cobalt Watch": "Monitors working conditions along the cobalt chain and reports publicly.",
}

APPLICATIONS = [
    dict(
        organisation_name="Likasi Cobalt Refinery",
        country="CD",
        chain_link="refiner",
        website="https://likasi-refinery.example",
        description="A hydrometallurgical refinery in Likasi, Haut-Katanga.",
        contact_name="Patrice Kalenga",
        contact_email="p.kalenga@likasi-refinery.example",
        statement=(
            "We buy hydroxide from artisanal and industrial sites and want our sourcing "
            "to meet the alliance's standard."
        ),
        declared_tonnes="1800",
        language="fr",
    ),
    dict(
        organisation_name="Coopérative des Creuseurs de Mutoshi",
        country="CD",
        chain_link="asm_cooperative",
        contact_name="Esther Mwenda",
        contact_email="esther.mwenda@mutoshi-coop.example",
        statement=(
            "Nos membres travaillent sur le site de Mutoshi. Nous voulons participer aux "
            "règles qui gouvernent notre travail."
        ),
        language="fr",
    ),
    dict(
        organisation_name="Sauti ya Wachimbaji",
        country="CD",
        chain_link="civil_society",
        website="https://sauti.example",
        contact_name="Neema Kahindo",
        contact_email="neema@sauti.example",
        statement=(
            "Tunasaidia wachimbaji wadogo wa Lualaba kujua haki zao. Tungependa kuwa "
            "sehemu ya meza."
        ),
        language="sw",
    ),
]


def load(people) -> None:
    secretariat, admin = people["secretariat"], people["admin"]
    this_year = timezone.localdate().year
    _descriptions(admin)
    _schedules(secretariat, this_year)
    _declarations(secretariat, people)
    for year in (this_year - 1, this_year):
        if not Contribution.objects.filter(year=year).exists():
            services.contributions_assess(actor=secretariat, year=year)
    _payments(secretariat, this_year)
    _publication(people)
    if not ProgrammeFunding.objects.filter(year=this_year - 1).exists():
        services.programme_funding_save(
            actor=secretariat,
            funding=ProgrammeFunding(
                year=this_year - 1,
                amount=Decimal(180000),
                note=(
                    "Safety equipment and training at three Kolwezi sites; school fees for "
                    "miners' children."
                ),
            ),
        )
    _applications()


def _descriptions(admin) -> None:
    for name, text in DESCRIPTIONS.items():
        organisation = Organisation.objects.filter(name=name, description="").first()
        if organisation is not None:
            organisation.description = text
            governance_services.organisation_save(actor=admin, organisation=organisation)


def _schedules(secretariat, this_year: int) -> None:
    if ContributionSchedule.objects.exists():
        return
    first = ContributionSchedule(
        year=this_year - 1,
        currency="USD",
        notes="Bands by declared tonnes of cobalt content a year.",
    )
    first.bands = [
        ContributionBand(
            chain_link=link,
            tier=tier,
            min_tonnes=Decimal(low),
            max_tonnes=None if high is None else Decimal(high),
            amount=Decimal(amount),
        )
        for link, rows in BANDS
        for tier, low, high, amount in rows
    ]
    # Replayed as it happened: made at the start of last year, revised in its middle
    # (the revision became this year's schedule).
    first = services.schedule_save(
        actor=secretariat, schedule=first, today=datetime.date(this_year - 1, 1, 2)
    )
    revision = ContributionSchedule.objects.get(pk=first.pk)
    revision.bands = [
        ContributionBand(
            chain_link=band.chain_link,
            tier=band.tier,
            min_tonnes=band.min_tonnes,
            max_tonnes=band.max_tonnes,
            amount=Decimal(REVISED.get((band.chain_link, band.tier), band.amount)),
        )
        for band in first.bands.all()
    ]
    services.schedule_save(
        actor=secretariat, schedule=revision, today=datetime.date(this_year - 1, 6, 30)
    )


def _declarations(secretariat, people) -> None:
    for organisation in Organisation.objects.filter(membership_status=MembershipStatus.MEMBER):
        if Membership.objects.filter(organisation=organisation).exists():
            continue
        tonnes, tier, contact = DECLARATIONS.get(organisation.name, (None, "", None))
        services.membership_declare(
            actor=secretariat,
            organisation=organisation,
            tonnes=None if tonnes is None else Decimal(tonnes),
            tier=tier,
            contact=people[contact] if contact else None,
        )


def _payments(secretariat, this_year: int) -> None:
    for contribution in Contribution.objects.filter(amount__gt=0).select_related("organisation"):
        if Payment.objects.filter(contribution=contribution).exists():
            continue
        if contribution.year < this_year:
            share, received = Decimal(1), datetime.date(contribution.year, 3, 31)
        else:
            share = PAID_THIS_YEAR.get(contribution.organisation.name, Decimal(0))
            received = min(datetime.date(this_year, 2, 28), timezone.localdate())
        if share:
            services.payment_record(
                actor=secretariat,
                contribution=contribution,
                amount=(contribution.amount * share).quantize(Decimal("0.01")),
                received_on=received,
                reference=f"Transfer {contribution.organisation.slug[:20]} {contribution.year}",
            )


def _publication(people) -> None:
    for name in PUBLISHED:
        organisation = Organisation.objects.get(name=name)
        if not organisation.membership.publish_contribution:
            person = organisation.people.order_by("pk").first() or people["secretariat"]
            services.membership_publish(actor=person, organisation=organisation, publish=True)


def _applications() -> None:
    now = timezone.now()
    for days, data in enumerate(APPLICATIONS, start=1):
        if Application.objects.filter(organisation_name=data["organisation_name"]).exists():
            continue
        services.application_submit(
            actor=AnonymousUser(),
            competition_acknowledged=True,
            now=now - datetime.timedelta(days=10 - days * 2),
            **data,
        )
