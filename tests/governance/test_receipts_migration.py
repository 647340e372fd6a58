"""Migration governance 0007 on existing data: receipts move from the choices to the
participations (a secret ballot keeps the same set of codes, and no longer any link
from a code to a choice), and scans of paper ballots leave the public media folder
for private storage under random names."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("governance", "0006_term_sync")]
AFTER = [("governance", "0007_ballot_receipts_links_scans")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_receipts_and_scans_move(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    # Every app back to its latest state (membership depends on governance).
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    old = migrate(BEFORE)
    try:
        made = _old_world(old, settings.MEDIA_ROOT)
        new = migrate(AFTER)
        Participation = new.get_model("governance", "Participation")
        SecretChoice = new.get_model("governance", "SecretChoice")
        Attestation = new.get_model("governance", "AssistedVoteAttestation")

        roll_call = Participation.objects.get(pk=made["roll_call_participation"])
        assert roll_call.receipt_code == "ROLLCALL22"
        secret = Participation.objects.filter(ballot_id=made["secret_ballot"])
        assert sorted(secret.values_list("receipt_code", flat=True)) == ["SECRETAAA2", "SECRETBBB3"]
        assert "receipt_code" not in {f.name for f in SecretChoice._meta.fields}
        assert SecretChoice.objects.filter(ballot_id=made["secret_ballot"]).count() == 2

        attestation = Attestation.objects.get()
        name = attestation.scan.name
        assert name.startswith("attestations/") and name.endswith(".pdf")
        assert "Kasulo" not in name
        assert (tmp_path / "private" / name).read_bytes() == b"%PDF paper"
        assert not (tmp_path / "media" / made["old_scan"]).exists()
    finally:
        migrate(leaf)


def _old_world(apps, media_root) -> dict:
    User = apps.get_model("governance", "User")
    WorkingGroup = apps.get_model("governance", "WorkingGroup")
    Chamber = apps.get_model("governance", "Chamber")
    Seat = apps.get_model("governance", "Seat")
    VotingRule = apps.get_model("governance", "VotingRule")
    Ballot = apps.get_model("governance", "Ballot")
    BallotOption = apps.get_model("governance", "BallotOption")
    Participation = apps.get_model("governance", "Participation")
    RollCallChoice = apps.get_model("governance", "RollCallChoice")
    SecretChoice = apps.get_model("governance", "SecretChoice")
    Attestation = apps.get_model("governance", "AssistedVoteAttestation")

    voter = User.objects.create(username="voter", email="voter@example.org")
    group = WorkingGroup.objects.create(name="Group", slug="group")
    chamber = Chamber.objects.create(name="Artisanal miners", slug="artisanal-miners")
    seats = [
        Seat.objects.create(working_group=group, chamber=chamber, label=f"Kasulo {n}")
        for n in range(3)
    ]
    rule = VotingRule.objects.create(working_group=group, name="Majority")
    now = timezone.now()
    made = {}
    for secrecy in ("roll_call", "secret"):
        ballot = Ballot.objects.create(
            working_group=group,
            title=secrecy,
            motion="…",
            rule=rule,
            secrecy=secrecy,
            status="closed",
            opens_at=now - datetime.timedelta(days=2),
            closes_at=now - datetime.timedelta(days=1),
        )
        option = BallotOption.objects.create(ballot=ballot, key="for", label="For")
        made[f"{secrecy}_ballot"] = ballot.pk
        if secrecy == "roll_call":
            participation = Participation.objects.create(
                ballot=ballot, seat=seats[0], cast_by=voter, cast_as="holder"
            )
            RollCallChoice.objects.create(
                participation=participation, option=option, receipt_code="ROLLCALL22"
            )
            made["roll_call_participation"] = participation.pk
            continue
        for seat, code in zip(seats[1:], ("SECRETAAA2", "SECRETBBB3"), strict=True):
            participation = Participation.objects.create(
                ballot=ballot, seat=seat, cast_by=voter, cast_as="facilitator", channel="assisted"
            )
            SecretChoice.objects.create(
                ballot=ballot, option=option, chamber=chamber, weight=1, receipt_code=code
            )
        old_scan = "attestations/2026/Kasulo_2.pdf"
        (media_root / "attestations" / "2026").mkdir(parents=True)
        (media_root / old_scan).write_bytes(b"%PDF paper")
        Attestation.objects.create(
            participation=participation, mode="paper", witness="W", scan=old_scan
        )
        made["old_scan"] = old_scan
    return made
