"""The hash-chained audit log: one event per governance action, a chain that
verifies, a table the database keeps append-only, and a command that notices
when someone has gone around the database to rewrite history."""

import contextlib
import io
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from governance import audit, services
from governance.db import APPEND_ONLY_MESSAGE, AUDIT_TABLE, sqlite_audit_triggers
from governance.models import (
    AuditChainHead,
    AuditEvent,
    ChainLink,
    Chamber,
    GroupRole,
    Organisation,
    Seat,
    SeatRole,
    WorkingGroup,
)
from governance.models.assignments import today
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatAssignmentFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupRoleFactory,
)

# --- One event per action -----------------------------------------------------------------
# Each scene builds what it needs with factories (no events) and returns the
# action to run as `actor`; the action returns the object the event is about.


def _organisation_created(group):
    return lambda actor: services.organisation_save(
        actor=actor,
        organisation=Organisation(
            name="Umicore Kokkola", chain_link=ChainLink.REFINER, country="FI"
        ),
    )


def _organisation_updated(group):
    org = OrganisationFactory()
    org.website = "https://example.org"
    return lambda actor: services.organisation_save(actor=actor, organisation=org)


def _chamber_created(group):
    return lambda actor: services.chamber_save(actor=actor, chamber=Chamber(name="Finance"))


def _chamber_updated(group):
    chamber = ChamberFactory()
    chamber.description = "Banks and investors"
    return lambda actor: services.chamber_save(actor=actor, chamber=chamber)


def _working_group_created(group):
    return lambda actor: services.working_group_save(
        actor=actor, group=WorkingGroup(name="Recycling")
    )


def _working_group_updated(group):
    group.max_seats = 12
    return lambda actor: services.working_group_save(actor=actor, group=group)


def _seat_created(group):
    chamber = ChamberFactory()
    return lambda actor: services.seat_save(
        actor=actor, seat=Seat(working_group=group, chamber=chamber, label="New")
    )


def _seat_updated(group):
    seat = SeatFactory(working_group=group)
    seat.label = "Renamed"
    return lambda actor: services.seat_save(actor=actor, seat=seat)


def _seat_retired(group):
    seat = SeatFactory(working_group=group)
    return lambda actor: services.seat_retire(actor=actor, seat=seat)


def _seat_assignment_started(group):
    seat, person, org = SeatFactory(working_group=group), UserFactory(), OrganisationFactory()
    return lambda actor: services.seat_assignment_start(
        actor=actor, seat=seat, person=person, role=SeatRole.HOLDER, organisation=org, start=today()
    )


def _seat_assignment_ended(group):
    assignment = SeatAssignmentFactory(seat__working_group=group)
    return lambda actor: services.seat_assignment_end(
        actor=actor, assignment=assignment, end=today()
    )


def _role_granted(group):
    person = UserFactory()
    return lambda actor: services.role_grant(
        actor=actor, group=group, person=person, role=GroupRole.MEMBER, start=today()
    )


def _role_ended(group):
    grant = WorkingGroupRoleFactory(working_group=group)
    return lambda actor: services.role_end(actor=actor, grant=grant, end=today())


SCENES = {
    # action: (scene, about the group?, public?)
    "organisation.created": (_organisation_created, False, True),
    "organisation.updated": (_organisation_updated, False, True),
    "chamber.created": (_chamber_created, False, True),
    "chamber.updated": (_chamber_updated, False, True),
    "working_group.created": (_working_group_created, True, True),
    "working_group.updated": (_working_group_updated, True, True),
    "seat.created": (_seat_created, True, True),
    "seat.updated": (_seat_updated, True, True),
    "seat.retired": (_seat_retired, True, True),
    "seat_assignment.started": (_seat_assignment_started, True, True),
    "seat_assignment.ended": (_seat_assignment_ended, True, True),
    "role.granted": (_role_granted, True, False),
    "role.ended": (_role_ended, True, False),
}


@pytest.mark.parametrize("action", list(SCENES))
def test_each_service_writes_exactly_one_event(action, superuser, group):
    scene, about_group, public = SCENES[action]
    run = scene(group)
    services.chamber_save(actor=superuser, chamber=Chamber(name="Earlier"))  # history to link to
    previous = AuditEvent.objects.order_by("-sequence").first()
    assert previous is not None
    before = AuditEvent.objects.count()

    obj = run(superuser)

    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-sequence").first()
    assert event.action == action
    assert event.actor == superuser
    assert (event.object_type, event.object_id) == (obj._meta.label_lower, str(obj.pk))
    assert event.object_repr == str(obj)
    expected_group = (obj if isinstance(obj, WorkingGroup) else group) if about_group else None
    assert event.working_group == expected_group
    assert event.is_public is public
    assert event.sequence == previous.sequence + 1
    assert event.prev_hash == previous.hash
    assert audit.verify_chain().ok


def test_the_chain_verifies_after_many_events(superuser, group):
    chamber = ChamberFactory()
    for i in range(15):
        org = services.organisation_save(
            actor=superuser,
            organisation=Organisation(name=f"Org {i}", chain_link=ChainLink.TRADER, country="CD"),
        )
        seat = services.seat_save(
            actor=superuser, seat=Seat(working_group=group, chamber=chamber, label=f"Seat {i}")
        )
        org.membership_status = "member"
        services.organisation_save(actor=superuser, organisation=org)
        services.seat_assignment_start(
            actor=superuser,
            seat=seat,
            person=UserFactory(),
            role=SeatRole.HOLDER,
            organisation=org,
            start=today(),
        )
    assert list(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 61))
    assert audit.verify_chain() == audit.ChainCheck(True, 60)
    head = AuditChainHead.objects.get(pk=1)
    assert (head.sequence, head.hash) == (60, AuditEvent.objects.get(sequence=60).hash)
    assert verify_command() == (0, "OK: 60 events\n", "")


@pytest.mark.django_db
def test_a_clean_empty_log_verifies():
    assert verify_command() == (0, "OK: 0 events\n", "")


def test_a_rolled_back_change_leaves_no_gap(superuser):
    org = OrganisationFactory()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit.record(actor=superuser, action="organisation.updated", obj=org)
        1 / 0  # noqa: B018 - the change fails after its event was appended
    assert not AuditEvent.objects.exists()
    services.chamber_save(actor=superuser, chamber=Chamber(name="Government"))
    assert list(AuditEvent.objects.values_list("sequence", "action")) == [(1, "chamber.created")]
    assert audit.verify_chain().ok


def test_payload_is_hashed_as_stored(superuser):
    """Dates, decimals and nested values go through JSON before hashing, so the
    stored row hashes the same when it is read back."""
    seat = SeatFactory()
    event = audit.record(
        actor=superuser,
        action="seat.updated",
        obj=seat,
        payload={"weight": seat.weight, "when": today(), "nested": {"b": [1, 2], "a": None}},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.payload == {
        "weight": str(seat.weight),
        "when": today().isoformat(),
        "nested": {"a": None, "b": [1, 2]},
    }
    assert audit.compute_hash(stored.prev_hash, stored) == stored.hash


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused():
    org = OrganisationFactory()
    with pytest.raises(RuntimeError, match="inside the change's transaction"):
        audit.record(actor=None, action="organisation.updated", obj=org)
    assert not AuditEvent.objects.exists()


# --- The database keeps the table append-only -----------------------------------------------


@pytest.fixture
def three_events(superuser):
    for name in ("Industry", "Civil society", "Government"):
        services.chamber_save(actor=superuser, chamber=Chamber(name=name))
    return list(AuditEvent.objects.order_by("sequence"))


def table_rows():
    return list(AuditEvent.objects.order_by("sequence").values())


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {AUDIT_TABLE} SET object_repr = 'rewritten' WHERE sequence = 2",
        f"UPDATE {AUDIT_TABLE} SET is_public = NOT is_public",
        f"DELETE FROM {AUDIT_TABLE} WHERE sequence = 2",
        f"DELETE FROM {AUDIT_TABLE}",
    ],
    ids=["update-one", "update-all", "delete-one", "delete-all"],
)
def test_the_database_refuses_to_change_or_delete_events(three_events, sql):
    before = table_rows()
    with (
        pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert table_rows() == before


def test_the_orm_cannot_change_or_delete_events_either(three_events):
    before = table_rows()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        three_events[1].delete()
    assert table_rows() == before


# --- Tamper detection ------------------------------------------------------------------------


@contextlib.contextmanager
def append_only_lifted():
    """Go around the database's guard, as someone with the server's keys could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Inside the test's transaction, deferred foreign-key checks of the rows just
            # written are still pending, and PostgreSQL will not ALTER a table until they ran.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER governance_audit_append_only"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS governance_audit_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS governance_audit_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    f"ALTER TABLE {AUDIT_TABLE} ENABLE TRIGGER governance_audit_append_only"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            else:
                for sql in sqlite_audit_triggers():
                    cursor.execute(sql)


def tamper(sql: str, params=()) -> None:
    with append_only_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def set_payload(sequence: int, payload: dict) -> None:
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    tamper(
        f"UPDATE {AUDIT_TABLE} SET payload = {cast} WHERE sequence = %s",
        [json.dumps(payload), sequence],
    )


def verify_command() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit_log", stdout=out, stderr=err)
    except SystemExit as exit_:
        return exit_.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def five_events(superuser):
    for name in ("Industry", "Civil society", "Government", "Finance", "Academia"):
        services.chamber_save(actor=superuser, chamber=Chamber(name=name))
    assert verify_command() == (0, "OK: 5 events\n", "")


def test_a_rewritten_payload_is_found(five_events):
    set_payload(3, {"changes": {"name": [None, "Someone else"]}})
    assert verify_command() == (1, "", "BROKEN at sequence 3: content does not match its hash\n")


def test_a_rewritten_field_is_found(five_events, superuser):
    tamper(f"UPDATE {AUDIT_TABLE} SET actor_id = NULL WHERE sequence = 2")
    assert verify_command() == (1, "", "BROKEN at sequence 2: content does not match its hash\n")


def test_a_deleted_event_in_the_middle_is_found(five_events):
    tamper(f"DELETE FROM {AUDIT_TABLE} WHERE sequence = 3")
    assert verify_command() == (1, "", "BROKEN at sequence 3: missing event\n")


def test_deleted_events_at_the_end_are_found(five_events):
    tamper(f"DELETE FROM {AUDIT_TABLE} WHERE sequence >= 4")
    assert verify_command() == (
        1,
        "",
        "BROKEN at sequence 4: events missing at the end of the chain\n",
    )


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(five_events):
    """A forger who recomputes the row's own hash still cannot fix the next row's link."""
    event = AuditEvent.objects.get(sequence=2)
    event.payload = {"changes": {"name": [None, "Forged"]}}
    forged_hash = audit.compute_hash(event.prev_hash, event)
    cast = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
    tamper(
        f"UPDATE {AUDIT_TABLE} SET payload = {cast}, hash = %s WHERE sequence = 2",
        [json.dumps(event.payload), forged_hash],
    )
    assert verify_command() == (1, "", "BROKEN at sequence 3: previous hash does not match\n")


def test_the_guard_is_back_after_tampering(five_events):
    set_payload(1, {})
    with (
        pytest.raises(DatabaseError, match=APPEND_ONLY_MESSAGE),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {AUDIT_TABLE} WHERE sequence = 5")
    assert AuditEvent.objects.count() == 5
