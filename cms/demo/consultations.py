"""The demo standard: two versions, a closed round with its synopsis, an open round.

The first round's history is replayed through the services with `now` set to the
moments it happened, so windows, dispositions and the report obey the same rules
as live use.
"""

import datetime

from django.utils import timezone

from consultations import services
from consultations.models import Clause, Consultation, DraftVersion, Standard
from governance.models import User, WorkingGroup

from .registry import PREFERRED_LANGUAGES

V1_CLAUSES = [
    (
        "1",
        "Scope",
        "This framework applies to artisanal and small-scale cobalt mining sites in the "
        "Lualaba and Haut-Katanga provinces, and to every buyer of their ore.",
    ),
    (
        "2",
        "Definitions",
        "Artisanal miner: a person who extracts ore by hand or with light tools on an "
        "authorised artisanal mining zone.",
    ),
    (
        "3",
        "Site safety",
        "Each site has a named safety officer and a written plan for pit stability.",
    ),
    ("3.1", "Pit stability", "Pits deeper than 10 metres are shored and inspected every week."),
    ("3.2", "Protective equipment", "Miners receive helmets, boots and gloves at no cost."),
    ("4", "Children", "No person under 18 works on a site. Sites support children's schooling."),
    ("5", "Traceability", "Every lot is weighed and tagged at the site and recorded before sale."),
    ("6", "Fair pricing", "Buying stations publish the day's price per grade before buying."),
    ("7", "Grievances", "Miners can raise a grievance with a body independent of buyers."),
]

# Version 2 after the first round: changed, moved, added and removed clauses.
V2_CHANGES = {
    "3.1": "Pits deeper than 10 metres are shored, inspected every week by the safety officer, "
    "and closed after heavy rain until inspected again.",
    "5": "Every lot is weighed and tagged at the site, recorded in the cooperative's register, "
    "and reported to the provincial mining division before sale.",
    "6": "Buying stations publish the day's price per grade, with the assay method, before buying.",
}
V2_NEW = (
    "8",
    "Women on site",
    "Women miners have equal access to pits, washing and pay, and a "
    "safe place to report harassment.",
)

ROUND_ONE_COMMENTS = [
    # (username, clause number or None, type, comment, proposed change, decision, response)
    (
        "member",
        "3.1",
        "te",
        "Weekly inspection is not enough in the rainy season.",
        "Add a re-inspection after heavy rain.",
        "accepted",
        "Clause 3.1 now requires re-inspection after heavy rain.",
    ),
    (
        "holder",
        "6",
        "te",
        "Prices shown without the assay method cannot be checked by miners.",
        "Publish the assay method with the price.",
        "accepted",
        "Clause 6 now requires the assay method.",
    ),
    (
        "commenter",
        "5",
        "te",
        "Downstream buyers need the lot records to reach the authorities.",
        "Report lots to the provincial mining division.",
        "accepted_in_part",
        "Lots are reported to the provincial division; a public registry is out of reach for now.",
    ),
    (
        "alternate",
        "3.2",
        "ed",
        "Say who pays for replacement equipment.",
        "",
        "noted",
        "The cost of replacements is left to each cooperative's rules.",
    ),
    (
        "observer",
        None,
        "ge",
        "The framework should cover cobalt from industrial concessions too.",
        "",
        "out_of_scope",
        "The framework's mandate is artisanal mining; industrial sites follow other standards.",
    ),
    (
        "commenter",
        "4",
        "te",
        "Ban anyone under 16 instead of 18 to match local law.",
        "",
        "not_accepted",
        "The alliance keeps 18, the international standard for hazardous work.",
    ),
]

OPEN_ROUND_COMMENTS = [
    (
        "member",
        "8",
        "te",
        "Name who receives harassment reports on each site.",
        "A trained woman focal point.",
    ),
    # Written in Swahili, the holder's language.
    (
        "holder",
        "3.1",
        "ed",
        "Taja 'mvua kubwa' kama inavyofafanuliwa na idara ya hali ya hewa ya jimbo.",
        "",
    ),
]


def load(people: dict[str, User]) -> Standard:
    secretariat = people["secretariat"]
    group = WorkingGroup.objects.get(name="ASM Cobalt Framework")
    standard = Standard.objects.filter(slug="asm-cobalt-framework").first()
    if standard is not None:
        return standard
    now = timezone.now()
    history = now - datetime.timedelta(days=150)
    standard = services.standard_save(
        actor=secretariat,
        standard=Standard(
            title="ASM Cobalt Framework",
            slug="asm-cobalt-framework",
            working_group=group,
            summary="The shared standard for responsible artisanal cobalt.",
        ),
        now=history - datetime.timedelta(days=20),
    )
    v1 = services.version_start(
        actor=secretariat,
        standard=standard,
        label="1.0",
        now=history - datetime.timedelta(days=14),  # drafted before its round opened
    )
    for order, (number, heading, body) in enumerate(V1_CLAUSES):
        level = number.count(".") + 1
        services.clause_save(
            actor=secretariat,
            clause=Clause(
                version=v1, number=number, heading=heading, body=body, level=level, order=order
            ),
        )
    round_one = services.consultation_schedule(
        actor=secretariat,
        version=v1,
        audience="public",
        opens_at=history,
        closes_at=history + datetime.timedelta(days=60),
        now=history,
        instructions="Comment on any clause. Say which link of the chain you speak for.",
    )
    during = history + datetime.timedelta(days=10)
    comments = []
    for username, number, kind, body, proposal, *_ in ROUND_ONE_COMMENTS:
        clause = v1.clauses.get(number=number) if number else None
        comments.append(
            services.comment_post(
                actor=people[username],
                consultation=round_one,
                clause=clause,
                comment_type=kind,
                body=body,
                proposed_change=proposal,
                now=during,
            )
        )
    after = round_one.closes_at + datetime.timedelta(days=5)
    v2 = services.version_start(
        actor=secretariat,
        standard=standard,
        label="2.0",
        based_on=v1,
        now=round_one.closes_at + datetime.timedelta(days=1),  # once the round was over
    )
    for number, body in V2_CHANGES.items():
        clause = v2.clauses.get(number=number)
        clause.body = body
        services.clause_save(actor=secretariat, clause=clause)
    number, heading, body = V2_NEW
    services.clause_save(
        actor=secretariat, clause=Clause(version=v2, number=number, heading=heading, body=body)
    )
    services.clause_delete(actor=secretariat, clause=v2.clauses.get(number="2"))
    keys = list(v2.clauses.order_by("order").values_list("key", flat=True))
    keys.insert(1, keys.pop(keys.index(v2.clauses.get(number="7").key)))  # grievances moved up
    services.clauses_reorder(actor=secretariat, version=v2, keys=keys)
    services.version_renumber(actor=secretariat, version=v2)
    for comment, (_u, _n, _k, _b, _p, decision, response) in zip(
        comments, ROUND_ONE_COMMENTS, strict=True
    ):
        resulting = (
            v2.clauses.filter(key=comment.clause.key).first()
            if comment.clause and decision.startswith("accepted")
            else None
        )
        services.comment_dispose(
            actor=secretariat,
            comment=comment,
            decision=decision,
            response=response,
            resulting_clause=resulting,
            now=after,
        )
    services.report_publish(
        actor=secretariat,
        consultation=round_one,
        now=after,
        summary="Six comments from four links of the chain; four led to changes in version 2.0.",
    )
    _open_round(people, v2, now)
    return standard


def _open_round(people, v2: DraftVersion, now) -> Consultation:
    secretariat = people["secretariat"]
    opened = now - datetime.timedelta(days=10)
    round_two = services.consultation_schedule(
        actor=secretariat,
        version=v2,
        audience="public",
        opens_at=opened,
        closes_at=opened + datetime.timedelta(days=60),
        now=opened,
        instructions="Second round: the draft changed materially after the first round's comments.",
    )
    for username, number, kind, body, proposal in OPEN_ROUND_COMMENTS:
        clause = v2.clauses.get(heading=_heading_of(number))
        services.comment_post(
            actor=people[username],
            consultation=round_two,
            clause=clause,
            comment_type=kind,
            body=body,
            proposed_change=proposal,
            language=PREFERRED_LANGUAGES.get(username, "en"),
            now=opened + datetime.timedelta(days=2),
        )
    return round_two


def _heading_of(number: str) -> str:
    headings = {n: h for n, h, _b in V1_CLAUSES}
    headings[V2_NEW[0]] = V2_NEW[1]
    return headings[number]
