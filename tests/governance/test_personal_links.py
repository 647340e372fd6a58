"""Nobody but a seat's holder holds its personal link, and paper ballots stay private.

- No staff screen shows a live link: a matrix of staff roles (secretariat, chair,
  platform admin) × every screen they can open — ballot pages, the links page, the
  Wagtail and Django admins (background task records included), exports and the
  API — searched for every seat's token, emailed or printed.
- A holder without an email address gets a printed link: an audited action with a
  witness; the vote cast through it is marked "printed link" on the bulletin and in
  the audit log.
- Scans of paper ballots are stored privately under random names and served only to
  the facilitator who recorded them, the group's secretariat and auditors.
"""

import html
import re
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cms.demo import pages as demo_pages
from governance import ballot_links, services
from governance.models import (
    AssistedVoteAttestation,
    AuditEvent,
    GroupRole,
    Participation,
    PrintedLink,
    RollEntry,
    VotingRule,
)
from tests.factories import (
    ChamberFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)
from tests.governance.test_ballot_views import make_ballot

WITNESS = "Mama Furaha, cooperative secretary"


@pytest.fixture
def t(group):
    chair, secretariat, facilitator = UserFactory(), UserFactory(), UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    give_role(facilitator, group, GroupRole.FACILITATOR)
    miners = ChamberFactory(name="Artisanal miners")
    seats = [
        SeatFactory(working_group=group, chamber=miners, label=f"Kasulo cooperative {n}")
        for n in range(1, 5)
    ]
    seats[3].facilitator = facilitator
    seats[3].save()
    holders = [seat_person(seat).person for seat in seats]
    no_email = holders[2]
    no_email.email = ""
    no_email.save(update_fields=["email"])
    rule = VotingRule.objects.create(working_group=group, name="Simple majority")
    return SimpleNamespace(
        group=group,
        chair=chair,
        secretariat=secretariat,
        facilitator=facilitator,
        seats=seats,
        holders=holders,
        no_email=no_email,
        rule=rule,
    )


def text(response) -> str:
    return html.unescape(response.content.decode(errors="replace"))


def print_link(client, ballot, seat, witness=WITNESS):
    return client.post(
        reverse("ballots:print_link", args=[ballot.pk, seat.pk]),
        {f"seat-{seat.pk}-witness": witness},
    )


def printed_path(response) -> str:
    return re.search(r"(/ballots/v/[^<\s]+/)", text(response)).group(1)


# --- No staff screen shows a live link ----------------------------------------------------


def secrets_of(ballot) -> list[str]:
    """Every live credential of the ballot: each seat's emailed token and every printed
    one, and the signatures alone (a screen could show a token cut in two)."""
    tokens = [
        ballot_links.make_token(entry)
        for entry in RollEntry.objects.filter(ballot=ballot, holder__isnull=False)
    ]
    for printed in PrintedLink.objects.filter(ballot=ballot):
        entry = RollEntry.objects.get(ballot=ballot, seat_id=printed.seat_id)
        tokens.append(ballot_links.make_token(entry, printed))
    return tokens + [token.split(":", 1)[1] for token in tokens]


def staff_screens(ballot, t) -> list[str]:
    """Every screen a member of staff can open about this ballot and its group."""
    urls = [
        reverse("ballots:detail", args=[ballot.pk]),
        reverse("ballots:group", args=[t.group.slug]),
        reverse("ballots:links", args=[ballot.pk]),
        reverse("ballots:assisted", args=[ballot.pk]),
        reverse("accounts:profile"),
        f"/working-groups/{t.group.slug}/",
        f"/working-groups/{t.group.slug}/register/",
        f"/api/v1/ballots/{ballot.pk}",
        f"/exports/ballots/{ballot.pk}.csv",
        "/api/v1/audit/head",
        "/admin/",
        "/admin/reports/site-history/",
    ]
    for model in ("workinggroup", "seat", "seatassignment", "workinggrouprole"):
        urls.append(reverse(f"governance_{model}:index"))
    urls.append(reverse("governance_workinggroup:edit", args=[t.group.pk]))
    for seat in t.seats:
        urls.append(reverse("governance_seat:edit", args=[seat.pk]))
    return urls


@pytest.fixture
def busy_ballot(t, client, settings, django_capture_on_commit_callbacks):
    """An open ballot with a vote, links emailed (through the database task queue, so
    its records can be read in the admin), and a link printed for the holder without
    an email address."""
    demo_pages.load()
    ballot = make_ballot(t)
    services.vote_cast(actor=t.holders[0], ballot=ballot, seat=t.seats[0], option_key="for")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from governance import ballot_reminders

    with django_capture_on_commit_callbacks(execute=True):
        ballot_reminders.send_links(actor=t.secretariat, ballot=ballot)
    client.force_login(t.secretariat)
    assert print_link(client, ballot, t.seats[2]).status_code == 200
    client.logout()
    return ballot


@pytest.mark.parametrize("role", ["secretariat", "chair", "platform admin"])
def test_no_staff_screen_shows_a_live_link(client, t, busy_ballot, role, superuser):
    person = {"secretariat": t.secretariat, "chair": t.chair, "platform admin": superuser}[role]
    client.force_login(person)
    secrets = secrets_of(busy_ballot)
    assert len(secrets) == 2 * (4 + 1)
    shown = 0
    for url in staff_screens(busy_ballot, t):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        shown += response.status_code == 200
        body = text(response) if not response.streaming else ""
        for secret in secrets:
            assert secret not in body, f"a live link shows on {url} to the {role}"
    assert shown >= 10, shown  # the crawl saw the screens, it was not turned away
    # The emails' background task records were among the screens read.
    assert apps.get_model("django_tasks_database", "DBTaskResult").objects.exists()


def test_links_go_to_holders_by_email_and_only_there(client, t, django_capture_on_commit_callbacks):
    ballot = make_ballot(t)
    client.force_login(t.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("ballots:send_links", args=[ballot.pk]))
    # Three holders have an address; the fourth will need a printed link.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(h.email for h in t.holders if h.email)
    for message in mail.outbox:
        holder = next(h for h in t.holders if h.email == message.to[0])
        entry = RollEntry.objects.get(ballot=ballot, holder=holder)
        assert ballot_links.link_path(entry) in message.body
    page = client.get(reverse("ballots:links", args=[ballot.pk]))
    rows = {row["entry"].seat_id: row for row in page.context["rows"]}
    assert not rows[t.seats[0].pk]["print_form"] and rows[t.seats[0].pk]["by_email"]
    assert rows[t.seats[2].pk]["print_form"] is not None
    assert "No email address: print the link" in text(page)


# --- Printed links ------------------------------------------------------------------------


def test_a_printed_link_is_recorded_with_its_witness_and_its_vote_is_marked(client, t):
    ballot = make_ballot(t)
    seat = t.seats[2]
    client.force_login(t.secretariat)
    printout = print_link(client, ballot, seat)
    assert printout.status_code == 200 and "no-store" in printout["Cache-Control"]
    assert WITNESS in text(printout) and t.no_email.public_name in text(printout)
    printed = PrintedLink.objects.get()
    assert (printed.seat, printed.holder, printed.printed_by, printed.witness) == (
        seat,
        t.no_email,
        t.secretariat,
        WITNESS,
    )
    event = AuditEvent.objects.get(action="ballot.link_printed")
    assert event.actor == t.secretariat and not event.is_public
    assert event.payload == {
        "seat": seat.pk,
        "holder": t.no_email.pk,
        "printed_link": printed.pk,
        "witness": WITNESS,
    }
    path = printed_path(printout)
    assert path != ballot_links.link_path(RollEntry.objects.get(ballot=ballot, seat=seat))
    # The links page lists the printout, never its link.
    page = client.get(reverse("ballots:links", args=[ballot.pk]))
    assert WITNESS in text(page) and path not in text(page)

    # The holder votes through it (choice, then confirmation).
    client.logout()
    asked = client.post(path, {"option": "against", "idempotency_key": "paper-1"})
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', asked.content.decode())
    )
    client.post(path, fields)
    participation = Participation.objects.get(ballot=ballot, seat=seat)
    assert (participation.channel, participation.printed_link) == ("printed", printed)
    assert participation.cast_by == t.no_email and participation.cast_as == "holder"
    vote = AuditEvent.objects.get(action="vote.cast", object_id=str(ballot.pk))
    assert vote.payload["channel"] == "printed" and vote.payload["printed_link"] == printed.pk

    services.ballot_close(actor=None, ballot=ballot, now=ballot.closes_at)
    bulletin = client.get(reverse("ballots:bulletin", args=[ballot.pk]))
    (row,) = bulletin.context["rows"]
    assert row["printed"] and row["channel"] == "Printed link"
    assert "Printed link: 1" in text(bulletin)
    api = client.get(f"/api/v1/ballots/{ballot.pk}").json()["bulletin"]
    assert api["votes"][0]["channel"] == "printed" and api["channels"] == {"printed": 1}


@pytest.mark.parametrize(
    ("who", "seat", "witness", "refusal"),
    [
        ("secretariat", 0, WITNESS, "This holder has an email address"),
        ("secretariat", 2, "   ", "This field is required."),
        ("chair", 2, "", "This field is required."),
        ("holder", 2, WITNESS, None),  # not staff: 403
        ("other secretariat", 2, WITNESS, None),
    ],
)
def test_printing_is_refused_and_records_nothing(client, t, who, seat, witness, refusal):
    ballot = make_ballot(t)
    other = UserFactory()
    give_role(other, WorkingGroupFactory(), GroupRole.SECRETARIAT)
    person = {
        "secretariat": t.secretariat,
        "chair": t.chair,
        "holder": t.holders[0],
        "other secretariat": other,
    }[who]
    client.force_login(person)
    response = print_link(client, ballot, t.seats[seat], witness)
    if refusal is None:
        assert response.status_code == 403
    else:
        assert response.status_code == 400 and refusal in text(response)
        assert "/ballots/v/" not in text(response)
    assert not PrintedLink.objects.exists()
    assert not AuditEvent.objects.filter(action="ballot.link_printed").exists()


def test_a_printed_link_of_another_seat_or_holder_is_refused(client, t):
    ballot = make_ballot(t)
    printed, entry = services.ballot_link_print(
        actor=t.secretariat, ballot=ballot, seat=t.seats[2], witness=WITNESS
    )
    other = RollEntry.objects.get(ballot=ballot, seat=t.seats[1])
    forged = ballot_links._signer().sign(
        f"{ballot.pk}.{other.seat_id}.{other.holder_id}.p{printed.pk}"
    )
    assert client.get(f"/ballots/v/{forged}/").status_code == 404


def test_a_printout_casts_only_its_own_seats_vote_as_its_holder(t):
    ballot = make_ballot(t)
    printed, _entry = services.ballot_link_print(
        actor=t.secretariat, ballot=ballot, seat=t.seats[2], witness=WITNESS
    )
    for actor, seat in ((t.holders[1], t.seats[1]), (t.secretariat, t.seats[2])):
        with pytest.raises(PermissionDenied):
            services.vote_cast(
                actor=actor,
                ballot=ballot,
                seat=seat,
                option_key="for",
                channel="printed",
                printed_link=printed,
            )
    assert not Participation.objects.filter(ballot=ballot).exists()


# --- Scans of paper ballots -----------------------------------------------------------------


@pytest.fixture
def scanned(client, t, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    ballot = make_ballot(t, secrecy="secret")
    client.force_login(t.facilitator)
    scan = SimpleUploadedFile(
        "Kasulo cooperative 4.pdf", b"%PDF-1.4 paper ballot", content_type="application/pdf"
    )
    response = client.post(
        reverse("ballots:assisted", args=[ballot.pk]),
        {"seat": t.seats[3].pk, "option": "for", "mode": "paper", "witness": WITNESS, "scan": scan},
    )
    assert response.status_code == 200
    client.logout()
    attestation = AssistedVoteAttestation.objects.get()
    return ballot, attestation, tmp_path


def test_a_scan_is_stored_privately_under_a_random_name(scanned):
    ballot, attestation, root = scanned
    name = attestation.scan.name
    assert re.fullmatch(r"attestations/[0-9a-f]{32}\.pdf", name)
    assert "Kasulo" not in name and "cooperative" not in name
    assert (root / "private" / name).read_bytes() == b"%PDF-1.4 paper ballot"
    assert not (root / "media").exists() or not any((root / "media").rglob("*.pdf"))
    with pytest.raises(ValueError, match="no URL"):
        _ = attestation.scan.url


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("facilitator", True),
        ("secretariat", True),
        ("auditor", True),
        ("platform admin", True),
        ("chair", False),
        ("holder", False),
        ("other secretariat", False),
        ("anonymous", False),
    ],
)
def test_a_scan_is_served_only_to_those_allowed(client, t, scanned, superuser, who, allowed):
    ballot, attestation, _root = scanned
    auditor = UserFactory()
    auditor.user_permissions.add(Permission.objects.get(codename="view_assistedvoteattestation"))
    other = UserFactory()
    give_role(other, WorkingGroupFactory(), GroupRole.SECRETARIAT)
    person = {
        "facilitator": t.facilitator,
        "secretariat": t.secretariat,
        "auditor": auditor,
        "platform admin": superuser,
        "chair": t.chair,
        "holder": t.holders[3],
        "other secretariat": other,
        "anonymous": None,
    }[who]
    if person is not None:
        client.force_login(person)
    url = reverse("ballots:attestation_scan", args=[ballot.pk, attestation.participation_id])
    response = client.get(url)
    if allowed:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 paper ballot"
        assert response["Content-Disposition"].startswith("attachment")
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    else:
        assert response.status_code in (302, 404)
        assert not response.streaming
    # Never by a plain media URL.
    assert client.get(f"/media/{attestation.scan.name}").status_code == 404


def test_the_secretariat_finds_the_scan_on_the_links_page(client, t, scanned):
    ballot, attestation, _root = scanned
    client.force_login(t.secretariat)
    page = client.get(reverse("ballots:links", args=[ballot.pk]))
    url = reverse("ballots:attestation_scan", args=[ballot.pk, attestation.participation_id])
    assert url in page.content.decode() and WITNESS in text(page)
    client.force_login(t.chair)  # runs the ballot, may not open paper ballots
    page = client.get(reverse("ballots:links", args=[ballot.pk]))
    assert url not in page.content.decode() and "kept privately" in text(page)


def test_the_links_page_does_not_query_per_seat(client, db):
    """The links page reads the roll, the votes, the printouts and the assisted votes
    once each, with their people: the same number of queries for 4 seats as for 40."""
    counts = []
    for size in (4, 40):
        scene = _scene_of(WorkingGroupFactory(), size)
        ballot = make_ballot(scene)
        services.ballot_link_print(
            actor=scene.secretariat, ballot=ballot, seat=scene.seats[2], witness=WITNESS
        )
        services.vote_record_assisted(
            actor=scene.facilitator,
            ballot=ballot,
            seat=scene.seats[3],
            option_key="for",
            mode="paper",
            witness=WITNESS,
        )
        client.force_login(scene.secretariat)
        url = reverse("ballots:links", args=[ballot.pk])
        client.get(url)  # warm the caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def _scene_of(group, size):
    facilitator, secretariat = UserFactory(), UserFactory()
    give_role(secretariat, group, GroupRole.SECRETARIAT)
    give_role(facilitator, group, GroupRole.FACILITATOR)
    chair = UserFactory()
    give_role(chair, group, GroupRole.CHAIR)
    chamber = ChamberFactory(name="Artisanal miners")
    seats = [SeatFactory(working_group=group, chamber=chamber) for _ in range(size)]
    seats[3].facilitator = facilitator
    seats[3].save()
    holders = [seat_person(seat).person for seat in seats]
    holders[2].email = ""
    holders[2].save(update_fields=["email"])
    rule = VotingRule.objects.create(working_group=group, name="Majority")
    return SimpleNamespace(
        group=group,
        chair=chair,
        secretariat=secretariat,
        facilitator=facilitator,
        seats=seats,
        holders=holders,
        rule=rule,
    )
