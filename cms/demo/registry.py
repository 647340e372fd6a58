"""Chambers, organisations, working groups, seats, people and roles for the demo."""

import datetime

from django.utils import timezone

from governance import services
from governance.models import (
    Chamber,
    ChamberQuota,
    GroupRole,
    MembershipStatus,
    Organisation,
    ReservedSeatRule,
    Seat,
    SeatAssignment,
    User,
    WorkingGroup,
    WorkingGroupRole,
)

from . import DEMO_PASSWORD

CHAMBERS = [
    # (name, slug, order, parent slug)
    ("Industry", "industry", 1, None),
    ("Government", "government", 2, None),
    ("Civil society", "civil-society", 3, None),
    ("Artisanal miners", "artisanal-miners", 4, None),
    ("Upstream industry", "industry-upstream", 1, "industry"),
    ("Downstream industry", "industry-downstream", 2, "industry"),
]

# (name, chain link, country, non-profit, represents artisanal miners, website)
ORGANISATIONS = [
    ("Coopérative Minière Artisanale de Kolwezi", "asm_cooperative", "CD", True, True, ""),
    ("Coopérative des Creuseurs de Kasulo", "asm_cooperative", "CD", True, True, ""),
    ("Coopérative des Femmes Minières du Lualaba", "asm_cooperative", "CD", True, True, ""),
    ("Kanina Buying Station", "trader", "CD", False, False, ""),
    ("Lualaba Industrial Mining", "industrial_miner", "CD", False, False, ""),
    ("Katanga Cobalt Refining", "refiner", "CD", False, False, ""),
    ("Eastern Precursor Materials", "precursor_cathode", "CN", False, False, ""),
    ("NordCell Batteries", "battery_cell", "SE", False, False, ""),
    ("Autovolt Motors", "automotive", "DE", False, False, ""),
    ("Brightline Electronics", "electronics", "KR", False, False, ""),
    ("Green Metals Fund", "financial", "GB", False, False, ""),
    ("Provincial Mining Division of Lualaba", "government", "CD", True, False, ""),
    ("Artisanal Mining Support Service", "government", "CD", True, True, ""),
    ("Kolwezi Institute of Mining Studies", "academic", "CD", True, False, ""),
    ("Action pour les Droits des Creuseurs", "civil_society", "CD", True, True, ""),
    ("Fair Cobalt Watch", "civil_society", "BE", True, False, ""),
    ("Chain Logistics Consulting", "other", "ZM", False, False, ""),
]

PEOPLE = [
    # (username, display name, organisation name or None)
    ("admin", "Platform administrator", None),
    ("chair", "Amani Kabongo", "Fair Cobalt Watch"),
    ("secretariat", "Claire Mutombo", None),
    ("member", "Joseph Ilunga", "Kolwezi Institute of Mining Studies"),
    ("observer", "Grace Mbuyi", "Green Metals Fund"),
    ("facilitator", "Patrick Kasongo", "Action pour les Droits des Creuseurs"),
    ("holder", "Mado Tshibangu", "Coopérative Minière Artisanale de Kolwezi"),
    ("alternate", "Jean-Pierre Mwamba", "Coopérative des Creuseurs de Kasulo"),
    ("commenter", "Lena Fischer", "Autovolt Motors"),
    ("translator", "Neema Kalenga", None),
]

# The language each demo person reads pages, emails and their ballot link in. The
# Swahili-reading holder is why a Steering Committee ballot opens only once its texts are
# approved in Swahili (governance.services.ballots.readability).
PREFERRED_LANGUAGES = {"holder": "sw", "alternate": "fr"}

# What each organisation does, in English (its French and Swahili are approved by the
# secretariat in cms.demo.record_translations).
DESCRIPTIONS = {
    "Coopérative Minière Artisanale de Kolwezi": (
        "A cooperative of artisanal cobalt miners working the authorised zones around Kolwezi."
    ),
    "Coopérative des Creuseurs de Kasulo": (
        "A cooperative of diggers from the Kasulo neighbourhood of Kolwezi."
    ),
    "Coopérative des Femmes Minières du Lualaba": (
        "A cooperative of women who mine, sort and wash cobalt ore in Lualaba."
    ),
    "Kanina Buying Station": (
        "A buying station that buys ore from artisanal sites and sells it to refiners."
    ),
    "Lualaba Industrial Mining": (
        "An industrial copper and cobalt miner whose concessions border artisanal zones."
    ),
    "Katanga Cobalt Refining": "A refinery that turns cobalt hydroxide into refined cobalt.",
    "Eastern Precursor Materials": (
        "A maker of cathode precursor materials for lithium-ion batteries."
    ),
    "NordCell Batteries": "A battery-cell maker supplying European carmakers.",
    "Autovolt Motors": "A carmaker building electric vehicles.",
    "Brightline Electronics": "An electronics brand: phones, laptops and tablets.",
    "Green Metals Fund": "An investment fund financing responsible metal supply chains.",
    "Provincial Mining Division of Lualaba": (
        "The provincial administration that registers mining sites and lots in Lualaba."
    ),
    "Artisanal Mining Support Service": (
        "The public service that supervises and trains artisanal miners."
    ),
    "Kolwezi Institute of Mining Studies": (
        "A university institute researching mine safety and the mining economy."
    ),
    "Action pour les Droits des Creuseurs": (
        "A Congolese organisation defending diggers' rights and safety."
    ),
    "Fair Cobalt Watch": "A watchdog that follows cobalt from the pit to the product.",
    "Chain Logistics Consulting": (
        "A consultancy that moves and documents mineral shipments across the Copperbelt."
    ),
}

MANDATE = (
    "<p>Draft, consult on and maintain the ASM Cobalt Framework: the shared standard for "
    "responsible artisanal cobalt, written with every link of the chain at the table.</p>"
)
STEERING_MANDATE = (
    "<p>Steer the alliance: set priorities, approve work plans and budgets, and certify the "
    "working groups' results.</p>"
)


def today() -> datetime.date:
    return timezone.localdate()


def load(stdout=None) -> dict[str, User]:
    people = _people()
    admin = people["admin"]
    chambers = _chambers(admin)
    orgs = _organisations(admin, chambers)
    _link_people_to_organisations(people, orgs)
    steering = _working_group(
        admin,
        name="Steering Committee",
        mandate=STEERING_MANDATE,
        max_seats=9,
        quotas=[
            (chambers[s], 1)
            for s in ("industry", "government", "civil-society", "artisanal-miners")
        ],
        reservations=[
            dict(
                label="at least 3 seats for non-profit organisations",
                min_seats=3,
                require_non_profit=True,
            ),
            dict(
                label="at least 1 seat for a Congolese organisation representing artisanal miners",
                min_seats=1,
                require_represents_artisanal_miners=True,
                country="CD",
            ),
        ],
    )
    framework = _working_group(
        admin,
        name="ASM Cobalt Framework",
        mandate=MANDATE,
        max_seats=12,
        quotas=[
            (chambers[s], 2)
            for s in ("industry", "government", "civil-society", "artisanal-miners")
        ],
        reservations=[
            dict(
                label="at least 2 seats for Congolese organisations representing artisanal miners",
                min_seats=2,
                require_represents_artisanal_miners=True,
                country="CD",
            ),
        ],
    )
    _roles(admin, people, [steering, framework])
    _seats(admin, people, chambers, orgs, steering, STEERING_SEATS)
    _seats(admin, people, chambers, orgs, framework, FRAMEWORK_SEATS)
    return people


def _people() -> dict[str, User]:
    people = {}
    for username, display_name, _org in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@demo.chaintable.local",
                display_name=display_name,
                email_verified=True,
                is_superuser=username == "admin",
                is_staff=username == "admin",
                preferred_language=PREFERRED_LANGUAGES.get(username, ""),
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        people[username] = user
    return people


def _ago(days: int) -> datetime.datetime:
    """When the alliance set itself up: the register dates its first entries then."""
    return timezone.now() - datetime.timedelta(days=days)


def _chambers(admin) -> dict[str, Chamber]:
    chambers: dict[str, Chamber] = {}
    for name, slug, order, parent in CHAMBERS:
        chamber = Chamber.objects.filter(slug=slug).first()
        if chamber is None:
            chamber = services.chamber_save(
                actor=admin,
                chamber=Chamber(
                    name=name, slug=slug, sort_order=order, parent=chambers.get(parent)
                ),
                now=_ago(400),
            )
        chambers[slug] = chamber
    return chambers


CHAMBER_OF_LINK = {
    "asm_cooperative": "artisanal-miners",
    "government": "government",
    "academic": "civil-society",
    "civil_society": "civil-society",
}


def _organisations(admin, chambers) -> dict[str, Organisation]:
    orgs = {}
    for name, link, country, non_profit, miners, website in ORGANISATIONS:
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            org = services.organisation_save(
                actor=admin,
                organisation=Organisation(
                    name=name,
                    description=DESCRIPTIONS.get(name, ""),
                    chain_link=link,
                    country=country,
                    website=website,
                    is_non_profit=non_profit,
                    represents_artisanal_miners=miners,
                    membership_status=MembershipStatus.MEMBER,
                    chamber=chambers[CHAMBER_OF_LINK.get(link, "industry")],
                ),
                now=_ago(395),
            )
        orgs[name] = org
    return orgs


def _link_people_to_organisations(people, orgs) -> None:
    for username, _name, org_name in PEOPLE:
        person = people[username]
        if org_name and person.organisation_id is None:
            person.organisation = orgs[org_name]
            person.save(update_fields=["organisation"])


def _working_group(admin, *, name, mandate, max_seats, quotas, reservations) -> WorkingGroup:
    group = WorkingGroup.objects.filter(name=name).first()
    if group is not None:
        return group
    group = WorkingGroup(name=name, mandate=mandate, max_seats=max_seats)
    group.chamber_quotas = [ChamberQuota(chamber=chamber, min_seats=n) for chamber, n in quotas]
    group.reserved_seat_rules = [ReservedSeatRule(**rule) for rule in reservations]
    return services.working_group_save(actor=admin, group=group, now=_ago(390))


def _roles(admin, people, groups) -> None:
    start = today() - datetime.timedelta(days=180)
    wanted = [
        ("chair", GroupRole.CHAIR),
        ("secretariat", GroupRole.SECRETARIAT),
        ("member", GroupRole.MEMBER),
        ("observer", GroupRole.OBSERVER),
        ("facilitator", GroupRole.FACILITATOR),
        ("translator", GroupRole.TRANSLATOR),
    ]
    for group in groups:
        for username, role in wanted:
            person = people[username]
            if not WorkingGroupRole.objects.filter(
                working_group=group, person=person, role=role
            ).exists():
                services.role_grant(actor=admin, group=group, person=person, role=role, start=start)


# (seat label, chamber slug, organisation, holder username or None, alternate username or None)
STEERING_SEATS = [
    ("Industry 1", "industry", "Katanga Cobalt Refining", None, None),
    ("Industry 2", "industry", "Autovolt Motors", None, None),
    ("Industry 3", "industry", "NordCell Batteries", None, None),
    ("Government 1", "government", "Provincial Mining Division of Lualaba", None, None),
    ("Government 2", "government", "Artisanal Mining Support Service", None, None),
    ("Civil society 1", "civil-society", "Action pour les Droits des Creuseurs", None, None),
    ("Civil society 2", "civil-society", "Fair Cobalt Watch", None, None),
    (
        "Artisanal miners 1",
        "artisanal-miners",
        "Coopérative Minière Artisanale de Kolwezi",
        "holder",
        "alternate",
    ),
    (
        "Artisanal miners 2",
        "artisanal-miners",
        "Coopérative des Femmes Minières du Lualaba",
        None,
        None,
    ),
]

FRAMEWORK_SEATS = [
    ("Upstream 1", "industry-upstream", "Lualaba Industrial Mining", None, None),
    ("Upstream 2", "industry-upstream", "Kanina Buying Station", None, None),
    ("Downstream 1", "industry-downstream", "Brightline Electronics", None, None),
    ("Downstream 2", "industry-downstream", "Eastern Precursor Materials", None, None),
    ("Government 1", "government", "Provincial Mining Division of Lualaba", None, None),
    ("Government 2", "government", "Artisanal Mining Support Service", None, None),
    ("Civil society 1", "civil-society", "Fair Cobalt Watch", None, None),
    ("Civil society 2", "civil-society", "Kolwezi Institute of Mining Studies", None, None),
    ("Artisanal miners 1", "artisanal-miners", "Coopérative des Creuseurs de Kasulo", None, None),
    (
        "Artisanal miners 2",
        "artisanal-miners",
        "Coopérative Minière Artisanale de Kolwezi",
        "holder",
        None,
    ),
    (
        "Artisanal miners 3",
        "artisanal-miners",
        "Coopérative des Femmes Minières du Lualaba",
        None,
        None,
    ),
]


def _seats(admin, people, chambers, orgs, group, layout) -> None:
    start = today() - datetime.timedelta(days=365)
    for index, (label, chamber_slug, org_name, holder, alternate) in enumerate(layout):
        seat = Seat.objects.filter(working_group=group, label=label).first()
        if seat is None:
            seat = services.seat_save(
                actor=admin,
                seat=Seat(
                    working_group=group,
                    chamber=chambers[chamber_slug],
                    label=label,
                    sort_order=index,
                ),
                now=_ago(380),
            )
            if chamber_slug == "artisanal-miners":
                seat.facilitator = people["facilitator"]
                services.seat_save(actor=admin, seat=seat, now=_ago(380))
        org = orgs[org_name]
        holder_user = people[holder] if holder else _seat_person(group, label, org)
        _assign(admin, seat, holder_user, "holder", org, start)
        if alternate:
            _assign(
                admin,
                seat,
                people[alternate],
                "alternate",
                orgs["Coopérative des Creuseurs de Kasulo"],
                start,
            )


def _seat_person(group, label, org) -> User:
    """A named demo person for every seat, so the public table reads like a real one."""
    username = f"{group.slug}-{label}".lower().replace(" ", "-")[:150]
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username,
            email=f"{username}@demo.chaintable.local",
            display_name=f"{org.name} delegate",
            organisation=org,
            email_verified=True,
        )
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _assign(admin, seat, person, role, org, start) -> None:
    if SeatAssignment.objects.filter(seat=seat, role=role).exists():
        return
    services.seat_assignment_start(
        actor=admin,
        seat=seat,
        person=person,
        role=role,
        organisation=org,
        start=start,
        now=max(_ago(375), timezone.make_aware(datetime.datetime.combine(start, datetime.time(9)))),
    )
