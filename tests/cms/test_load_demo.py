import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from governance import audit
from governance.models import (
    AuditEvent,
    ChainLink,
    Chamber,
    GroupRole,
    Organisation,
    Seat,
    SeatAssignment,
    WorkingGroup,
    WorkingGroupRole,
)
from governance.services import composition_shortfalls


def _row_counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.managed}


def test_load_demo_builds_the_alliance_and_a_second_run_changes_nothing(db):
    call_command("load_demo", verbosity=0)
    assert set(Chamber.objects.filter(parent=None).values_list("name", flat=True)) == {
        "Industry",
        "Government",
        "Civil society",
        "Artisanal miners",
    }
    assert Organisation.objects.count() >= 15
    assert set(Organisation.objects.values_list("chain_link", flat=True)) == set(ChainLink.values)
    assert Organisation.objects.filter(
        country="CD", chain_link=ChainLink.ARTISANAL_COOPERATIVE
    ).exists()
    groups = {g.name: g for g in WorkingGroup.objects.all()}
    assert set(groups) == {"ASM Cobalt Framework", "Steering Committee"}
    for group in groups.values():
        chambers = {s.chamber.top_level.name for s in Seat.objects.filter(working_group=group)}
        assert len(chambers) == 4
        assert all(short == 0 for short in composition_shortfalls(group).values()), group
        # Every role but the translator's (who works where translations are needed).
        roles = {r.role for r in WorkingGroupRole.objects.filter(working_group=group)}
        assert set(GroupRole.values) - {GroupRole.TRANSLATOR} <= roles
    assert SeatAssignment.objects.filter(role="alternate").exists()
    assert audit.verify_chain().ok

    before = _row_counts()
    call_command("load_demo", verbosity=0)
    assert _row_counts() == before


def test_demo_has_a_closed_round_with_its_synopsis_and_an_open_round(db):
    from consultations.models import Comment, Consultation, DraftVersion, PeriodState

    call_command("load_demo", verbosity=0)
    versions = DraftVersion.objects.filter(standard__title="ASM Cobalt Framework").order_by("label")
    assert [v.label for v in versions] == ["1.0", "2.0"]
    states = {c.round_number: c.state() for c in Consultation.objects.all()}
    assert states == {1: PeriodState.REPORT_PUBLISHED, 2: PeriodState.OPEN}
    round_one = Consultation.objects.get(round_number=1)
    assert Comment.objects.filter(consultation=round_one, disposition__isnull=True).count() == 0
    assert Comment.objects.filter(consultation=round_one).count() >= 5


def test_the_demo_history_carries_its_own_dates(db, client):
    """The demo replays history through the services' `now=`: versions are dated by
    when they were started, and the register's entries are spread over past months
    instead of all carrying the time the demo was loaded."""
    import re

    from consultations.models import Consultation, DraftVersion

    call_command("load_demo", verbosity=0)
    today = timezone.now().date()
    v1, v2 = DraftVersion.objects.filter(standard__slug="asm-cobalt-framework").order_by("label")
    round_one = Consultation.objects.get(round_number=1)
    assert v1.created_at < round_one.opens_at < round_one.closes_at < v2.created_at
    assert v2.created_at.date() < today
    page = client.get("/working-groups/asm-cobalt-framework/register/")
    assert page.status_code == 200
    dates = {d[:10] for d in re.findall(r'<td><time datetime="([^"]+)"', page.content.decode())}
    assert len(dates) > 3, dates
    events = AuditEvent.objects.filter(is_public=True)
    assert len({e.created_at.date() for e in events}) > 8
    assert events.filter(created_at__date__lt=today - datetime.timedelta(days=90)).exists()


def test_demo_steering_committee_has_a_certified_and_an_open_ballot(db):
    from governance.models import Ballot, BallotStatus, Decision

    call_command("load_demo", verbosity=0)
    ballots = {b.status: b for b in Ballot.objects.filter(working_group__name="Steering Committee")}
    # The draft is held back for its Swahili motion (tests/cms/test_demo_record_translations.py).
    assert set(ballots) == {BallotStatus.CERTIFIED, BallotStatus.OPEN, BallotStatus.DRAFT}
    certified = ballots[BallotStatus.CERTIFIED]
    assert certified.rule.chamber_weighting == "equal"
    assert Decision.objects.get(ballot=certified).outcome == certified.result["outcome"]
    assert ballots[BallotStatus.OPEN].is_accepting_votes()


def test_demo_open_round_and_open_ballot_have_live_threads(db):
    from consultations.models import Message, Thread

    call_command("load_demo", verbosity=0)
    clause_threads = Thread.objects.filter(clause__isnull=False)
    assert clause_threads.count() >= 2
    assert Thread.objects.filter(ballot__isnull=False).count() == 1
    assert Message.objects.filter(thread__in=clause_threads).count() >= 4


def test_demo_staff_log_in_with_the_printed_second_factor(db, client, settings):
    """`make run` prints the demo key and how to get a code: both open the admin."""
    import io
    import os
    import subprocess
    import sys

    from cms.demo.two_factor import DEMO_TOTP_KEY, current_code, demo_secret

    settings.DEBUG = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    printed = out.getvalue()
    assert demo_secret() in printed and "manage.py demo_code" in printed
    assert "admin, chair, secretariat, facilitator" in printed

    # At once: the code of the moment works straight after loading.
    client.post("/accounts/login/", {"username": "chair", "password": "chaintable-demo"})
    assert "/two-factor/verify/" in client.get("/admin/")["Location"]
    client.post("/accounts/two-factor/verify/", {"token": current_code()})
    assert client.get("/admin/").status_code == 200

    env = {**os.environ, "DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "manage.py", "demo_code"],
        capture_output=True,
        text=True,
        env=env,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    from django_otp.oath import TOTP

    window = TOTP(DEMO_TOTP_KEY)
    allowed = set()
    for drift in (-1, 0, 1):
        window.drift = drift
        allowed.add(f"{window.token():06d}")
    assert result.stdout.strip() in allowed


def test_demo_has_three_applications_waiting_bands_pooled_totals_and_a_full_map(db, client):
    from governance.models import MembershipStatus
    from membership import transparency
    from membership.models import Application, Contribution

    call_command("load_demo", verbosity=0)
    waiting = Application.objects.open().order_by("chain_link")
    assert [(a.chain_link, a.status) for a in waiting] == [
        ("asm_cooperative", "pending"),
        ("civil_society", "pending"),
        ("refiner", "pending"),
    ]
    # Members see their band: the carmaker's contact on its profile.
    client.force_login(get_user_model().objects.get(username="commenter"))
    page = client.get("/members/autovolt-motors/").text
    assert "Your contributions" in page and "Band B" in page and "Paid" in page
    client.logout()
    # The public sees pooled totals, and what went to the mine last year.
    pools = transparency.pooled_totals()
    assert pools[0].received > 0 and not pools[0].withheld
    assert any(pool.programme for pool in pools)
    assert Contribution.objects.values("year").distinct().count() == 2
    # Every demo organisation is on the map, at its link.
    chain_map = client.get("/chain/").text
    for organisation in Organisation.objects.filter(membership_status=MembershipStatus.MEMBER):
        marker = f'id="at-{organisation.chain_link}"'
        start = chain_map.index(marker)
        assert organisation.name.replace("'", "&#x27;") in chain_map[start : start + 4000]
