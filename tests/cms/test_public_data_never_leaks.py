"""Nothing that is not public ever leaves through the open data.

A world with secrets in it — email addresses, a members-only comment period and its
comments, an open secret ballot and an open roll-call ballot with votes, a closed
secret ballot with a chamber of one voter, a draft version, an unpublished response,
a private audit event — and then every API path of the OpenAPI document (with every
id and slug that exists, private ones included), every feed, calendar and export
is fetched, as a stranger and as the group's chair, and searched for the secrets.
"""

import io
import json
import re

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from consultations.models import Clause, Consultation, DraftVersion, Standard
from governance import services
from governance.models import (
    AuditEvent,
    Ballot,
    Chamber,
    Decision,
    Organisation,
    Participation,
    RollEntry,
    User,
    WorkingGroup,
)
from tests.cms.test_api import API, build_world, comment
from tests.factories import UserFactory, WorkingGroupFactory


@pytest.fixture
def secrets_world(db):
    world = build_world()
    # A person whose only name is their address, and a group that no longer sits.
    world.bare = UserFactory(username="bare-address@example.org", display_name="")
    WorkingGroupFactory(name="Dissolved group", slug="dissolved", status="closed")
    comment(world.public, world.bare, "A comment from a person with no display name.")
    # The secret ballot certified: its decision carries the same tally.
    services.ballot_certify(actor=world.chair, ballot=world.secret)
    return world


def forbidden(world) -> list[str]:
    """Strings that must never appear in any public output."""
    found = [email for email in User.objects.values_list("email", flat=True) if email]
    found += ["bare-address@example.org", "pbkdf2_", "md5$"]
    found += [
        "MEMBERS-ONLY-COMMENT-TEXT",
        "WITHDRAWN-COMMENT-TEXT",
        "UNPUBLISHED-RESPONSE",
        "DRAFTING-CLAUSE-TEXT",
        "DRAFTING-CLAUSE-HEADING",
        "PRIVATE-AUDIT-MARKER",
        "seat.private_note",
        "OPEN-BALLOT-REASON",
    ]
    for ballot in (world.open_ballot, world.open_roll_call):
        found += list(
            Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True)
        )
    return found


def secret_roll(ballot) -> list[str]:
    """Seat labels and holder names of a secret ballot's roll: never beside a choice."""
    names = []
    for entry in RollEntry.objects.filter(ballot=ballot).select_related("seat", "holder"):
        names.append(entry.seat.label)
        if entry.holder_id:
            names.append(entry.holder.public_name)
    return names


def fill(template: str) -> list[str]:
    """Every URL a path template can take, with every id and slug in the database."""
    values = {
        "slug": [
            *WorkingGroup.objects.values_list("slug", flat=True),
            *Organisation.objects.values_list("slug", flat=True),
            *Standard.objects.values_list("slug", flat=True),
        ],
        "version_id": DraftVersion.objects.values_list("pk", flat=True),
        "clause_id": Clause.objects.values_list("pk", flat=True),
        "consultation_id": Consultation.objects.values_list("pk", flat=True),
        "ballot_id": Ballot.objects.values_list("pk", flat=True),
        "decision_id": Decision.objects.values_list("pk", flat=True),
        "sequence": AuditEvent.objects.values_list("sequence", flat=True),
    }
    names = re.findall(r"{(\w+)}", template)
    assert len(names) <= 1, template
    if not names:
        return [template]
    assert names[0] in values, f"no ids known for {{{names[0]}}} in {template}"
    return [template.replace(f"{{{names[0]}}}", str(value)) for value in values[names[0]]]


def crawl(client) -> dict[str, str]:
    """Every public output, as text: URL → body."""
    spec = client.get(f"{API}/openapi.json").json()
    urls = [url for template in spec["paths"] for url in fill(template)]
    urls += [f"{url}?limit=100" for url in urls]  # whole lists (details ignore it)
    group_slugs = WorkingGroup.objects.values_list("slug", flat=True)
    for slug in group_slugs:
        for kind in ("decisions", "consultations"):
            urls += [f"/feeds/groups/{slug}/{kind}.rss", f"/feeds/groups/{slug}/{kind}.atom"]
        urls.append(f"/calendar/groups/{slug}.ics")
    for kind in ("decisions", "consultations"):
        urls += [f"/feeds/{kind}.rss", f"/feeds/{kind}.atom"]
    urls += ["/calendar.ics", "/exports/decisions.csv", "/exports/decisions.xlsx"]
    for ballot_id in Ballot.objects.values_list("pk", flat=True):
        urls += [f"/exports/ballots/{ballot_id}.csv", f"/exports/ballots/{ballot_id}.xlsx"]
    bodies = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code == 200:
            bodies[url] = text_of(response)
    return bodies


def text_of(response) -> str:
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            "\t".join("" if v is None else str(v) for v in row)
            for sheet in book
            for row in sheet.iter_rows(values_only=True)
        )
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("who", ["stranger", "chair"])
def test_no_output_holds_anything_private(client, secrets_world, who):
    world = secrets_world
    if who == "chair":
        client.force_login(world.chair)  # a member sees exactly what a stranger sees
    bodies = crawl(client)
    assert len(bodies) > 40
    secrets = forbidden(world)
    assert len(secrets) > 20
    for url, body in bodies.items():
        lowered = body.lower()
        for secret in secrets:
            assert secret.lower() not in lowered, f"{secret!r} leaked through {url}"


def test_private_things_are_404_not_empty(client, secrets_world):
    world = secrets_world
    for url in (
        f"{API}/consultations/{world.members.pk}",
        f"{API}/consultations/{world.members.pk}/comments",
        f"{API}/ballots/{world.open_ballot.pk}",
        f"{API}/ballots/{world.open_roll_call.pk}",
        f"{API}/ballots/{world.draft.pk}",
        f"{API}/versions/{world.std.v3.pk}",
        f"{API}/working-groups/dissolved",
        f"/exports/ballots/{world.open_ballot.pk}.csv",
        "/feeds/groups/dissolved/decisions.rss",
        "/calendar/groups/dissolved.ics",
    ):
        assert client.get(url).status_code == 404, url


def test_a_name_that_is_an_address_is_withheld(client, secrets_world):
    url = f"{API}/consultations/{secrets_world.public.pk}/comments?limit=100"
    commenters = {c["commenter"] for c in client.get(url).json()["items"]}
    assert "(name withheld)" in commenters and "Kapinga Tshibanda" in commenters


def test_secret_bulletins_never_put_a_seat_or_a_receipt_beside_a_choice(client, secrets_world):
    """A secret ballot publishes its receipts and its choices as two lists: no line of
    any output holds a receipt with a choice, a seat or a chamber."""
    world = secrets_world
    ballot = world.secret
    roll = secret_roll(ballot)
    receipts = set(
        Participation.objects.filter(ballot=ballot).values_list("receipt_code", flat=True)
    )
    labels = {"For", "Against", "Abstain", "for", "against", "abstain"}
    assert len(receipts) == 8 and len(roll) == 16

    detail = client.get(f"{API}/ballots/{ballot.pk}").json()
    text = json.dumps(detail)
    for name in roll:
        assert name not in text  # no seat label, no holder anywhere in the ballot's answer
    assert [set(row) for row in detail["bulletin"]["receipts"]] == [{"receipt_code"}] * 8
    codes = [row["receipt_code"] for row in detail["bulletin"]["receipts"]]
    assert codes == sorted(receipts)
    assert [set(row) for row in detail["bulletin"]["choices"]] == [{"choice", "choice_label"}] * 8
    assert detail["bulletin"]["votes"] == []

    chamber_names = list(Chamber.objects.values_list("name", flat=True))
    pages = [text_of(client.get(f"/exports/ballots/{ballot.pk}.{fmt}")) for fmt in ("csv", "xlsx")]
    for body in pages:
        lines = [line for line in body.splitlines() if any(code in line for code in receipts)]
        assert len(lines) == 8
        for line in lines:
            assert not any(name in line for name in roll), line
            assert not any(name in line for name in chamber_names), line
            assert not any(label in line.split() for label in labels), line


def test_withheld_chambers_stay_withheld_everywhere(client, secrets_world):
    """The miners' single vote (and the civil chamber that would give it away) is not
    published as a count anywhere: not in the ballot, the decision, nor the export."""
    ballot = secrets_world.secret
    chambers = {
        c["chamber"]: c
        for c in client.get(f"{API}/ballots/{ballot.pk}").json()["result"]["chambers"]
    }
    assert chambers["Artisanal miners"]["counts"] is None
    assert chambers["Artisanal miners"]["support_percent"] is None
    assert chambers["Civil society"]["counts"] is None
    listed = client.get(f"{API}/ballots?secrecy=secret").json()["items"][0]["result"]
    assert {c["chamber"]: c["counts"] for c in listed["chambers"]}["Artisanal miners"] is None
    decision = Decision.objects.get(ballot=ballot)
    tally = client.get(f"{API}/decisions/{decision.pk}").json()["tally"]
    shown = {c["chamber"]: c for c in tally["chambers"]}
    assert shown["Artisanal miners"]["counts"] is None and shown["Artisanal miners"]["withheld"]
    assert shown["Industry"]["counts"] == {"for": 3, "against": 1, "abstain": 0}
    rows = text_of(client.get("/exports/decisions.csv"))
    assert "Approve the traceability annex" in rows


def test_the_demo_leaks_no_address(client, db):
    call_command("load_demo", verbosity=0)
    emails = [email.lower() for email in User.objects.values_list("email", flat=True) if email]
    assert emails
    for url, body in crawl(client).items():
        lowered = body.lower()
        assert not any(email in lowered for email in emails), url
