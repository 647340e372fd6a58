"""The open-data API under /api/v1/: every resource answers, matches its own OpenAPI
schema, pages and filters, is cacheable and CORS-readable, and costs a fixed
number of queries whatever the number of rows.

The builders at the top set a demo-like scene (the feeds, calendars, exports and
leak tests import them): rows are made directly, ballots run through the services.
"""

import datetime
import itertools
import json
from types import SimpleNamespace

import jsonschema
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from consultations.models import (
    Clause,
    Comment,
    Consultation,
    Disposition,
    DraftVersion,
    Standard,
    VersionStatus,
)
from governance import audit, services
from governance.models import (
    Ballot,
    BallotStatus,
    Decision,
    MembershipStatus,
    VotingRule,
)
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)

API = "/api/v1"
_serial = itertools.count()


# --- Builders ------------------------------------------------------------------------


def seat_table(group, layout: dict, prefix: str = "") -> list[tuple]:
    """Seats with holders: {chamber: [(label, display name), ...]} → [(seat, holder)]."""
    seats = []
    for chamber, people in layout.items():
        for label, name in people:
            seat = SeatFactory(working_group=group, chamber=chamber, label=prefix + label)
            holder = UserFactory(
                display_name=name, email=f"{label.lower().replace(' ', '-')}-{group.pk}@example.org"
            )
            seat_person(seat, person=holder, organisation=OrganisationFactory())
            seats.append((seat, holder))
    return seats


def run_ballot(
    group,
    chair,
    seats,
    *,
    title: str,
    votes: dict[str, str],
    secrecy: str = "roll_call",
    stage: str = "certified",
    reasons: dict[str, str] | None = None,
    rule: VotingRule | None = None,
) -> Ballot:
    """A ballot taken through the services up to `stage` (draft, open, closed, certified).
    `votes`: seat label → choice key."""
    rule = (
        rule
        or VotingRule.objects.get_or_create(
            working_group=group, name="Simple majority", defaults={"threshold": "1/2"}
        )[0]
    )
    now = timezone.now()
    ballot = Ballot(
        working_group=group,
        title=title,
        motion=f"The group resolves: {title.lower()}.",
        rule=rule,
        secrecy=secrecy,
        opens_at=now - datetime.timedelta(minutes=5),
        closes_at=now + datetime.timedelta(days=2),
    )
    services.ballot_save(actor=chair, ballot=ballot)
    if stage == "draft":
        return ballot
    services.ballot_open(actor=chair, ballot=ballot)
    for seat, holder in seats:
        if seat.label in votes:
            services.vote_cast(
                actor=holder,
                ballot=ballot,
                seat=seat,
                option_key=votes[seat.label],
                reason=(reasons or {}).get(seat.label, ""),
            )
    if stage != "open":
        services.ballot_close(
            actor=None, ballot=ballot, now=ballot.closes_at + datetime.timedelta(minutes=1)
        )
    if stage == "certified":
        services.ballot_certify(actor=chair, ballot=ballot)
    ballot.refresh_from_db()
    return ballot


def standard_with_versions(group, *, title="ASM Cobalt Framework", slug="asm-cobalt-framework"):
    standard = Standard.objects.create(
        title=title, slug=slug, working_group=group, summary="Responsible artisanal cobalt."
    )
    v1 = DraftVersion.objects.create(
        standard=standard,
        label="1.0",
        status=VersionStatus.PUBLISHED,
        published_at=timezone.now() - datetime.timedelta(days=400),
    )
    for order, (number, heading) in enumerate([("1", "Scope"), ("2", "Child labour")]):
        Clause.objects.create(
            version=v1, number=number, heading=heading, body=f"{heading} text.", order=order
        )
    v2 = DraftVersion.objects.create(
        standard=standard, label="2.0-draft", status=VersionStatus.CONSULTATION, based_on=v1
    )
    clauses = [
        Clause.objects.create(
            version=v2, number=number, heading=heading, body=f"{heading}, revised.", order=order
        )
        for order, (number, heading) in enumerate(
            [("1", "Scope"), ("2", "Child labour"), ("3", "Traceability")]
        )
    ]
    v3 = DraftVersion.objects.create(
        standard=standard, label="3.0-wip", status=VersionStatus.DRAFTING, based_on=v2
    )
    Clause.objects.create(
        version=v3, number="1", heading="DRAFTING-CLAUSE-HEADING", body="DRAFTING-CLAUSE-TEXT"
    )
    return SimpleNamespace(standard=standard, v1=v1, v2=v2, v3=v3, clauses=clauses)


def period(version, *, audience="public", round_number=1, opened_days_ago=10, days=60, **extra):
    opens = timezone.now() - datetime.timedelta(days=opened_days_ago)
    return Consultation.objects.create(
        version=version,
        round_number=round_number,
        audience=audience,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=days),
        **extra,
    )


def comment(consultation, author, body, *, clause=None, chamber=None, **extra):
    return Comment.objects.create(
        consultation=consultation,
        clause=clause,
        author=author,
        organisation_name=extra.pop("organisation_name", "Kolwezi Miners' Cooperative"),
        chamber=chamber,
        comment_type=extra.pop("comment_type", "te"),
        body=body,
        **extra,
    )


def private_audit_event(group, marker: str):
    with transaction.atomic():
        return audit.record(
            actor=None,
            action="seat.private_note",
            obj=group,
            working_group=group,
            public=False,
            payload={"note": marker},
        )


def build_world():
    """A demo-like world: the Steering Committee with a certified roll-call ballot and
    its decision, a closed secret ballot, an open secret ballot with votes, a draft;
    a standard with a public and a members-only comment period."""
    industry = ChamberFactory(name="Industry", slug="industry", sort_order=1)
    government = ChamberFactory(name="Government", slug="government", sort_order=2)
    civil = ChamberFactory(name="Civil society", slug="civil-society", sort_order=3)
    miners = ChamberFactory(name="Artisanal miners", slug="artisanal-miners", sort_order=4)
    steering = WorkingGroupFactory(
        name="Steering Committee",
        slug="steering-committee",
        mandate='<p>Steer the alliance. See <a href="https://example.org/charter">charter</a>.</p>',
    )
    framework = WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt-framework")
    chair = UserFactory(display_name="Amani Kabongo", email="chair-person@example.org")
    give_role(chair, steering, "chair")
    give_role(chair, framework, "chair")
    seats = seat_table(
        steering,
        {
            industry: [("Industry 1", "Aline Kazadi"), ("Industry 2", "Bruno Mbuyi")],
            government: [("Government 1", "Chantal Ilunga")],
            civil: [("Civil society 1", "Didier Mwamba")],
            miners: [
                ("Artisanal miners 1", "Esther Ngoy"),
                ("Artisanal miners 2", "Fiston Kasongo"),
            ],
        },
    )
    work_plan = run_ballot(
        steering,
        chair,
        seats,
        title="Adopt the 2027 work plan",
        votes={
            "Industry 1": "for",
            "Industry 2": "against",
            "Government 1": "for",
            "Civil society 1": "abstain",
            "Artisanal miners 1": "for",
            "Artisanal miners 2": "for",
        },
        reasons={"Industry 2": "The budget is too thin."},
    )
    secret_seats = seat_table(
        framework,
        {
            industry: [(f"Secret industry {n}", f"Industry Holder {n}") for n in range(1, 5)],
            miners: [("Secret miners 1", "Solitary Miner")],
            civil: [(f"Secret civil {n}", f"Civil Holder {n}") for n in range(1, 4)],
        },
    )
    secret = run_ballot(
        framework,
        chair,
        secret_seats,
        title="Approve the traceability annex",
        secrecy="secret",
        stage="closed",
        votes={
            "Secret industry 1": "for",
            "Secret industry 2": "for",
            "Secret industry 3": "against",
            "Secret industry 4": "for",
            "Secret miners 1": "against",
            "Secret civil 1": "for",
            "Secret civil 2": "for",
            "Secret civil 3": "abstain",
        },
    )
    open_ballot = run_ballot(
        framework,
        chair,
        secret_seats,
        title="Admit three new cooperatives",
        secrecy="secret",
        stage="open",
        votes={"Secret industry 1": "against", "Secret miners 1": "for"},
    )
    open_roll_call = run_ballot(
        steering,
        chair,
        seats,
        title="Open roll-call ballot",
        stage="open",
        votes={"Industry 1": "against"},
        reasons={"Industry 1": "OPEN-BALLOT-REASON"},
    )
    draft = run_ballot(steering, chair, seats, title="Draft ballot", votes={}, stage="draft")
    std = standard_with_versions(framework)
    public = period(std.v2, instructions="Comment clause by clause.")
    members = period(std.v2, audience="members", round_number=2)
    commenter = UserFactory(display_name="Kapinga Tshibanda", email="secret-person@example.org")
    on_scope = comment(
        public,
        commenter,
        "Scope should include trading hubs.",
        clause=std.clauses[0],
        chamber=miners,
        proposed_change="Add trading hubs.",
    )
    general = comment(public, commenter, "A general remark on the draft.", comment_type="ge")
    comment(
        public,
        commenter,
        "WITHDRAWN-COMMENT-TEXT",
        clause=std.clauses[1],
        withdrawn_at=timezone.now(),
    )
    Disposition.objects.create(
        comment=on_scope, decision="accepted", response="UNPUBLISHED-RESPONSE", decided_by=chair
    )
    comment(members, commenter, "MEMBERS-ONLY-COMMENT-TEXT", clause=std.clauses[2])
    private_audit_event(steering, "PRIVATE-AUDIT-MARKER")
    return SimpleNamespace(
        chambers=SimpleNamespace(
            industry=industry, government=government, civil=civil, miners=miners
        ),
        steering=steering,
        framework=framework,
        chair=chair,
        seats=seats,
        secret_seats=secret_seats,
        work_plan=work_plan,
        decision=Decision.objects.get(ballot=work_plan),
        secret=secret,
        open_ballot=open_ballot,
        open_roll_call=open_roll_call,
        draft=draft,
        std=std,
        public=public,
        members=members,
        commenter=commenter,
        on_scope=on_scope,
        general=general,
    )


@pytest.fixture
def world(db):
    return build_world()


# --- Schema helpers --------------------------------------------------------------------


@pytest.fixture
def spec(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    return document


def response_schema(spec: dict, template: str) -> dict:
    operation = spec["paths"][template]["get"]
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def assert_matches(spec: dict, template: str, data) -> None:
    """The answer fits the schema the API publishes for that path (JSON Schema 2020-12,
    components resolved against the spec)."""
    schema = {**response_schema(spec, template), "components": spec["components"]}
    jsonschema.Draft202012Validator(schema).validate(data)


def get(client, url: str, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


# --- The schema and every resource -----------------------------------------------------


def test_openapi_schema_is_valid_and_lists_every_resource(spec):
    assert spec["openapi"].startswith("3.")
    paths = set(spec["paths"])
    for resource in (
        "working-groups",
        "chambers",
        "organisations",
        "standards",
        "versions",
        "clauses",
        "consultations",
        "ballots",
        "decisions",
    ):
        assert f"{API}/{resource}" in paths
    assert f"{API}/consultations/{{consultation_id}}/comments" in paths
    assert all("get" in item and len(item) == 1 for item in spec["paths"].values())  # read-only


def test_docs_page_answers(client, db):
    assert client.get(f"{API}/docs").status_code == 200


def test_working_groups_show_seats_by_chamber_without_emails(client, world, spec):
    data = get(client, f"{API}/working-groups")
    assert_matches(spec, f"{API}/working-groups", data)
    assert data["count"] == 2
    steering = next(g for g in data["items"] if g["slug"] == "steering-committee")
    assert steering["status"] == "active"
    assert 'href="https://example.org/charter"' in steering["mandate_html"]
    assert [c["chamber"]["name"] for c in steering["chambers"]] == [
        "Industry",
        "Government",
        "Civil society",
        "Artisanal miners",
    ]
    first = steering["chambers"][0]["seats"][0]
    assert first["label"] == "Industry 1" and first["holder"] == "Aline Kazadi"
    assert first["vacant"] is False and first["organisation"]["name"]
    assert steering["chairs"] == [{"name": "Amani Kabongo", "organisation": None}]
    assert "@" not in json.dumps(data)

    detail = get(client, f"{API}/working-groups/steering-committee")
    assert_matches(spec, f"{API}/working-groups/{{slug}}", detail)
    assert detail == steering


def test_a_vacant_seat_and_a_closed_group(client, world):
    SeatFactory(working_group=world.steering, chamber=world.chambers.miners, label="Miners 3")
    WorkingGroupFactory(name="Dissolved group", slug="dissolved", status="closed")
    data = get(client, f"{API}/working-groups?status=active")
    assert {g["slug"] for g in data["items"]} == {"steering-committee", "asm-cobalt-framework"}
    steering = get(client, f"{API}/working-groups/steering-committee")
    miners = steering["chambers"][-1]
    assert miners["vacancies"] == 1 and steering["vacancies"] == 1
    assert miners["seats"][-1] == {
        "id": miners["seats"][-1]["id"],
        "label": "Miners 3",
        "sub_chamber": None,
        "vacant": True,
        "organisation": None,
        "holder": None,
        "alternate": None,
    }
    assert client.get(f"{API}/working-groups/dissolved").status_code == 404


def test_chambers_and_organisations(client, world, spec):
    data = get(client, f"{API}/chambers")
    assert_matches(spec, f"{API}/chambers", data)
    assert [c["name"] for c in data["items"]][:2] == ["Industry", "Government"]

    OrganisationFactory(
        name="Katanga Cobalt Refining", slug="katanga", chain_link="refiner", country="CD"
    )
    OrganisationFactory(
        name="Kolwezi Cooperative",
        slug="kolwezi",
        chain_link="asm_cooperative",
        chamber=world.chambers.miners,
    )
    OrganisationFactory(name="Hopeful Applicant", membership_status=MembershipStatus.APPLICANT)
    data = get(client, f"{API}/organisations?limit=100")
    assert_matches(spec, f"{API}/organisations", data)
    names = {o["name"] for o in data["items"]}
    assert {"Katanga Cobalt Refining", "Kolwezi Cooperative"} <= names
    assert "Hopeful Applicant" not in names  # an application is not public
    coops = get(client, f"{API}/organisations?chain_link=asm_cooperative")
    assert [o["name"] for o in coops["items"]] == ["Kolwezi Cooperative"]
    assert coops["items"][0]["chain_link_label"] == "Artisanal mining cooperative"
    assert coops["items"][0]["chamber"]["slug"] == "artisanal-miners"
    by_country = get(client, f"{API}/organisations?country=cd&chamber=artisanal-miners")
    assert by_country["count"] == 1
    katanga = get(client, f"{API}/organisations/katanga")
    assert_matches(spec, f"{API}/organisations/{{slug}}", katanga)
    assert katanga["country"] == "CD" and katanga["country_name"]


def test_standards_versions_and_clauses_leave_drafts_out(client, world, spec):
    data = get(client, f"{API}/standards")
    assert_matches(spec, f"{API}/standards", data)
    (standard,) = data["items"]
    assert standard["current_version"]["label"] == "1.0"
    assert [v["label"] for v in standard["versions"]] == ["1.0", "2.0-draft"]
    assert standard["url"] == "/standards/asm-cobalt-framework/"
    assert_matches(
        spec,
        f"{API}/standards/{{slug}}",
        get(client, f"{API}/standards/asm-cobalt-framework"),
    )

    versions = get(client, f"{API}/versions?standard=asm-cobalt-framework")
    assert_matches(spec, f"{API}/versions", versions)
    assert [v["label"] for v in versions["items"]] == ["1.0", "2.0-draft"]
    v2 = versions["items"][1]
    assert v2["based_on"] == "1.0" and v2["clause_count"] == 3
    assert v2["consultation_ids"] == [world.public.pk]  # not the members-only round
    assert client.get(f"{API}/versions/{world.std.v3.pk}").status_code == 404
    assert_matches(
        spec, f"{API}/versions/{{version_id}}", get(client, f"{API}/versions/{world.std.v2.pk}")
    )

    clauses = get(client, f"{API}/clauses?version={world.std.v2.pk}")
    assert_matches(spec, f"{API}/clauses", clauses)
    assert [c["number"] for c in clauses["items"]] == ["1", "2", "3"]
    everything = get(client, f"{API}/clauses?limit=100")
    assert everything["count"] == 5
    assert "DRAFTING-CLAUSE-TEXT" not in json.dumps(everything)
    by_number = get(client, f"{API}/clauses?standard=asm-cobalt-framework&number=3")
    assert [c["heading"] for c in by_number["items"]] == ["Traceability"]
    clause = world.std.clauses[0]
    assert_matches(spec, f"{API}/clauses/{{clause_id}}", get(client, f"{API}/clauses/{clause.pk}"))


def test_consultations_are_the_public_ones_only(client, world, spec):
    data = get(client, f"{API}/consultations")
    assert_matches(spec, f"{API}/consultations", data)
    assert [c["id"] for c in data["items"]] == [world.public.pk]
    item = data["items"][0]
    assert item["state"] == "open" and item["comment_count"] == 2  # the withdrawn one not
    assert item["url"] == f"/consultations/{world.public.pk}/"
    assert item["working_group"]["slug"] == "asm-cobalt-framework"
    assert get(client, f"{API}/consultations?state=open")["count"] == 1
    assert get(client, f"{API}/consultations?state=closed")["count"] == 0
    assert get(client, f"{API}/consultations?working_group=steering-committee")["count"] == 0
    assert client.get(f"{API}/consultations?state=bogus").status_code == 422
    assert client.get(f"{API}/consultations/{world.members.pk}").status_code == 404
    assert client.get(f"{API}/consultations/{world.members.pk}/comments").status_code == 404
    assert_matches(
        spec,
        f"{API}/consultations/{{consultation_id}}",
        get(client, f"{API}/consultations/{world.public.pk}"),
    )


def test_comments_show_dispositions_only_once_the_report_is_published(client, world, spec):
    url = f"{API}/consultations/{world.public.pk}/comments"
    data = get(client, url)
    assert_matches(spec, f"{API}/consultations/{{consultation_id}}/comments", data)
    assert [c["body"] for c in data["items"]] == [
        "A general remark on the draft.",  # general comments first
        "Scope should include trading hubs.",
    ]
    scope = data["items"][1]
    assert scope["commenter"] == "Kapinga Tshibanda"
    assert scope["organisation_name"] == "Kolwezi Miners' Cooperative"
    assert scope["chamber"] == "Artisanal miners" and scope["clause_number"] == "1"
    assert scope["type"] == "te" and scope["proposed_change"] == "Add trading hubs."
    assert scope["disposition"] is None  # decided, but the report is not out
    assert "UNPUBLISHED-RESPONSE" not in json.dumps(data)

    Consultation.objects.filter(pk=world.public.pk).update(
        report_published_at=timezone.now(), report_summary="All comments answered."
    )
    data = get(client, url)
    assert_matches(spec, f"{API}/consultations/{{consultation_id}}/comments", data)
    assert data["items"][1]["disposition"] == {
        "decision": "accepted",
        "decision_label": "Accepted",
        "response": "UNPUBLISHED-RESPONSE",
    }
    assert get(client, f"{url}?clause=general")["count"] == 1
    assert get(client, f"{url}?clause=1&type=te&chamber=artisanal-miners")["count"] == 1
    assert get(client, f"{url}?type=ed")["count"] == 0
    detail = get(client, f"{API}/consultations/{world.public.pk}")
    assert detail["state"] == "report_published"
    assert detail["report_summary"] == "All comments answered."


def test_ballots_are_closed_ones_with_results_and_bulletins(client, world, spec):
    data = get(client, f"{API}/ballots")
    assert_matches(spec, f"{API}/ballots", data)
    ids = {b["id"] for b in data["items"]}
    assert ids == {world.work_plan.pk, world.secret.pk}
    for hidden in (world.open_ballot, world.open_roll_call, world.draft):
        assert client.get(f"{API}/ballots/{hidden.pk}").status_code == 404

    roll_call = get(client, f"{API}/ballots/{world.work_plan.pk}")
    assert_matches(spec, f"{API}/ballots/{{ballot_id}}", roll_call)
    assert roll_call["status"] == "certified" and roll_call["decision_id"] == world.decision.pk
    result = roll_call["result"]
    assert result["outcome"] == "adopted" and result["explanation"].startswith("Adopted.")
    assert {t["key"]: t["count"] for t in result["totals"]} == {
        "for": 4,
        "against": 1,
        "abstain": 1,
    }
    assert [c["withheld"] for c in result["chambers"]] == [False] * 4
    votes = roll_call["bulletin"]["votes"]
    assert roll_call["bulletin"]["receipts"] == []
    assert votes[0]["seat"] == "Industry 1" and votes[0]["holder"] == "Aline Kazadi"
    assert votes[1]["reason"] == "The budget is too thin." and votes[1]["choice"] == "against"
    assert (votes[0]["cast_as"], votes[0]["channel"]) == ("holder", "web")

    secret = get(client, f"{API}/ballots/{world.secret.pk}")
    assert_matches(spec, f"{API}/ballots/{{ballot_id}}", secret)
    receipts = secret["bulletin"]["receipts"]
    assert secret["bulletin"]["votes"] == []
    assert len(receipts) == 8
    assert [r["receipt_code"] for r in receipts] == sorted(r["receipt_code"] for r in receipts)
    assert all(set(r) == {"receipt_code"} for r in receipts)  # apart from the choices
    choices = secret["bulletin"]["choices"]
    assert len(choices) == 8 and all(set(c) == {"choice", "choice_label"} for c in choices)
    assert sum(secret["bulletin"]["channels"].values()) == 8
    chambers = {c["chamber"]: c for c in secret["result"]["chambers"]}
    # One miner voted: withheld; the smallest other chamber (civil, 3) goes with it,
    # or the miners' count would follow from the totals.
    assert (
        chambers["Artisanal miners"]["withheld"] and chambers["Artisanal miners"]["counts"] is None
    )
    assert chambers["Civil society"]["withheld"] and chambers["Civil society"]["counts"] is None
    assert chambers["Industry"]["counts"] == {"for": 3, "against": 1, "abstain": 0}

    assert get(client, f"{API}/ballots?secrecy=secret")["count"] == 1
    assert get(client, f"{API}/ballots?status=certified")["count"] == 1
    assert (
        get(client, f"{API}/ballots?working_group=steering-committee&outcome=adopted")["count"] == 1
    )


def test_explanations_follow_the_request_language(client, world):
    Ballot.objects.filter(pk=world.work_plan.pk).update(
        explanations={"en": "Adopted, in English.", "fr": "Adoptée, en français."}
    )
    url = f"{API}/ballots/{world.work_plan.pk}"
    fr = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-CD,fr;q=0.9")
    assert fr.json()["result"]["explanation"] == "Adoptée, en français."
    assert "Accept-Language" in fr["Vary"]
    assert get(client, f"{url}?lang=fr")["result"]["explanation"] == "Adoptée, en français."
    assert get(client, url)["result"]["explanation"] == "Adopted, in English."
    # No Swahili text stored: the default language's.
    assert get(client, f"{url}?lang=sw")["result"]["explanation"] == "Adopted, in English."
    client.force_login(world.chair)
    world.chair.preferred_language = "fr"
    world.chair.save(update_fields=["preferred_language"])
    # The reader's profile does not change a public (cached) answer.
    assert get(client, url)["result"]["explanation"] == "Adopted, in English."


def test_decisions_with_tally_and_filters(client, world, spec):
    data = get(client, f"{API}/decisions")
    assert_matches(spec, f"{API}/decisions", data)
    (decision,) = data["items"]
    assert decision["title"] == "Adopt the 2027 work plan"
    assert decision["outcome"] == "adopted" and decision["ballot_id"] == world.work_plan.pk
    assert decision["url"] == f"/ballots/{world.work_plan.pk}/"
    assert decision["working_group"]["slug"] == "steering-committee"
    assert decision["tally"]["cast"] == 6 and len(decision["tally"]["chambers"]) == 4
    year = timezone.now().year
    assert get(client, f"{API}/decisions?year={year}&outcome=adopted")["count"] == 1
    assert get(client, f"{API}/decisions?year={year - 1}")["count"] == 0
    assert get(client, f"{API}/decisions?working_group=asm-cobalt-framework")["count"] == 0
    assert_matches(
        spec,
        f"{API}/decisions/{{decision_id}}",
        get(client, f"{API}/decisions/{world.decision.pk}"),
    )


def test_a_consensus_decision_without_a_ballot(client, world, spec):
    Decision.objects.create(
        working_group=world.framework,
        kind=Decision.Kind.CONSENSUS,
        title="Adopt the glossary",
        motion="The group adopts the glossary.",
        outcome="adopted",
        objections="One member asked for more time.",
        certified_by=world.chair,
    )
    data = get(client, f"{API}/decisions?kind=consensus")
    assert_matches(spec, f"{API}/decisions", data)
    (decision,) = data["items"]
    assert decision["ballot_id"] is None and decision["tally"] is None
    assert decision["objections"] == "One member asked for more time."


# --- Paging, caching, CORS ---------------------------------------------------------------


def test_pages_with_limit_offset_and_total_count(client, db):
    for n in range(25):
        OrganisationFactory(name=f"Org {n:02}")
    first = get(client, f"{API}/organisations")
    assert first["count"] == 25 and first["limit"] == 20 and len(first["items"]) == 20
    rest = get(client, f"{API}/organisations?limit=10&offset=20")
    assert rest["offset"] == 20 and [o["name"] for o in rest["items"]] == [
        f"Org {n:02}" for n in range(20, 25)
    ]
    assert client.get(f"{API}/organisations?limit=1000").status_code == 422
    assert client.get(f"{API}/organisations?offset=-1").status_code == 422


def test_answers_are_cacheable_and_revalidate_by_etag(client, world):
    response = client.get(f"{API}/decisions")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    etag = response["ETag"]
    again = client.get(f"{API}/decisions", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag
    missing = client.get(f"{API}/ballots/999999")
    assert missing.status_code == 404 and "public" not in missing.get("Cache-Control", "")


def test_cors_allows_any_origin_to_read(client, world):
    response = client.get(f"{API}/decisions", HTTP_ORIGIN="https://journalist.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        f"{API}/decisions",
        HTTP_ORIGIN="https://journalist.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert "GET" in preflight["Access-Control-Allow-Methods"]
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    page = client.get("/feeds/decisions.rss", HTTP_ORIGIN="https://journalist.example")
    assert "Access-Control-Allow-Origin" not in page  # CORS is for the API only


def test_the_api_ignores_who_asks(client, world):
    """Cached as public, so a member of the group sees what anyone sees."""
    anonymous = get(client, f"{API}/consultations")
    client.force_login(world.chair)
    assert get(client, f"{API}/consultations") == anonymous
    assert client.get(f"{API}/ballots/{world.open_ballot.pk}").status_code == 404


# --- Queries that do not grow -------------------------------------------------------------


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        get(client, url)
    return len(queries)


def _grow_groups(n: int, chamber):
    for _ in range(n):
        group = WorkingGroupFactory()
        seat_table(group, {chamber: [("Seat A", "Holder A"), ("Seat B", "Holder B")]})
        give_role(UserFactory(), group, "chair")


def _grow_decisions(n: int, group, chair):
    rule = VotingRule.objects.get_or_create(working_group=group, name="Simple majority")[0]
    now = timezone.now()
    for _ in range(n):
        i = next(_serial)
        ballot = Ballot.objects.create(
            working_group=group,
            title=f"Ballot {i}",
            motion="Motion.",
            rule=rule,
            rule_snapshot=rule.as_snapshot(),
            secrecy="secret" if i % 2 else "roll_call",
            opens_at=now - datetime.timedelta(days=2),
            closes_at=now - datetime.timedelta(days=1),
            status=BallotStatus.CERTIFIED,
            result={
                "outcome": "adopted",
                "participation": {"cast": 3, "eligible": 4},
                "totals": {"for": {"count": 3, "weight": "3"}},
                "chambers": [
                    {"chamber": "Industry", "eligible": 4, "cast": 3, "counts": {"for": 3}}
                ],
            },
            explanations={"en": "Adopted."},
        )
        ballot.options.create(key="for", label="For")
        Decision.objects.create(
            working_group=group,
            ballot=ballot,
            title=ballot.title,
            motion=ballot.motion,
            outcome="adopted",
            tally=ballot.result,
            explanations=ballot.explanations,
            certified_by=chair,
        )
        Decision.objects.create(
            working_group=group,
            kind=Decision.Kind.CONSENSUS,
            title=f"Consensus {i}",
            motion="Motion.",
            outcome="adopted",
            certified_by=chair,
        )


def _grow_comments(n: int, consultation, clause, chamber):
    author = UserFactory()
    chair = UserFactory()
    for i in range(n):
        made = comment(
            consultation, author, f"Comment {i}", clause=clause if i % 2 else None, chamber=chamber
        )
        Disposition.objects.create(
            comment=made, decision="noted", response="Noted.", decided_by=chair
        )


def _grow_registry(n: int, chamber):
    for _ in range(n):
        OrganisationFactory(chamber=chamber)
        ChamberFactory(parent=chamber)


def _grow_standards(n: int, group):
    for _ in range(n):
        i = next(_serial)
        std = standard_with_versions(group, title=f"Standard {i}", slug=f"standard-{i}")
        period(std.v2)


# Expected queries per list: a count and the page, plus one per prefetched relation.
LIST_QUERIES = {
    "/working-groups": 5,  # count, groups, seats, current assignments, current chairs
    "/organisations": 2,  # count, page (chamber joined)
    "/chambers": 2,  # count, page (parent joined)
    "/standards": 3,  # count, page (group joined), public versions
    "/versions": 3,  # count, page (standard, base joined; clause count), public periods
    "/clauses": 2,  # count, page (version, standard joined)
    "/consultations": 2,  # count, page (version, standard, group joined; comment count)
    "/consultations/{public}/comments": 3,  # the period, count, page (all joined)
    "/ballots": 3,  # count, page (group, decision joined), options
    "/decisions": 5,  # count, page (group, ballot joined), ballot options, decision pages,
    # the groups index (once, for consensus decisions without a page)
}


@pytest.mark.parametrize("url", list(LIST_QUERIES))
def test_list_queries_do_not_grow_with_rows(client, db, url):
    """Each list costs the same with 10 rows as with 100 (LIST_QUERIES says how many)."""
    chamber = ChamberFactory(name="Industry")
    group = WorkingGroupFactory()
    chair = UserFactory()
    std = standard_with_versions(group, title="Base standard", slug="base")
    consultation = period(std.v2)
    path = API + url.format(public=consultation.pk) + "?limit=100"
    grow = {
        "/working-groups": lambda n: _grow_groups(n, chamber),
        "/organisations": lambda n: _grow_registry(n, chamber),
        "/chambers": lambda n: _grow_registry(n, chamber),
        "/standards": lambda n: _grow_standards(n, group),
        "/versions": lambda n: _grow_standards(n, group),
        "/clauses": lambda n: _grow_standards(n, group),
        "/consultations": lambda n: _grow_standards(n, group),
        "/consultations/{public}/comments": lambda n: _grow_comments(
            n, consultation, std.clauses[0], chamber
        ),
        "/ballots": lambda n: _grow_decisions(n, group, chair),
        "/decisions": lambda n: _grow_decisions(n, group, chair),
    }[url]
    grow(10)
    few = _queries(client, path)
    grow(90)
    data = get(client, path)
    assert data["count"] >= 100 or len(data["items"]) == 100
    assert few == LIST_QUERIES[url]
    assert _queries(client, path) == few
