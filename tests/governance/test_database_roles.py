"""The application's least-privilege PostgreSQL role (governance/db_roles.py): after
`manage.py grant_app_role`, the application works as that role — it appends to the
audit log — but cannot UPDATE, DELETE or TRUNCATE the log, nor disable its triggers.

Roles belong to the whole PostgreSQL cluster: each test database gets its own role
(named after it), dropped at the end.
"""

import datetime

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from governance.db import AUDIT_TABLE
from governance.models import AuditEvent, Ballot, BallotStatus
from tests.commands import child_database_url, manage
from tests.test_management_commands import ballot, group_with_seats

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="database roles and privileges are PostgreSQL's (set DATABASE_URL)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _drop(cursor, role: str) -> None:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone():
        cursor.execute(f'DROP OWNED BY "{role}"')
        cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def app_role():
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    with connection.cursor() as cursor:
        _drop(cursor, role)
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    yield role
    with connection.cursor() as cursor:
        _drop(cursor, role)


def as_role(role: str) -> psycopg.Connection:
    config = connection.settings_dict
    return psycopg.connect(
        host=config.get("HOST") or "127.0.0.1",
        port=config.get("PORT") or 5432,
        dbname=config["NAME"],
        user=role,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )


def refused(conn: psycopg.Connection, statement: str) -> str:
    """The error PostgreSQL gives the role for `statement` ("" if it was allowed)."""
    try:
        conn.execute(statement)
    except psycopg.errors.InsufficientPrivilege as error:
        return str(error)
    return ""


def test_the_application_role_appends_to_the_audit_log_and_cannot_alter_it(app_role):
    scene = group_with_seats()
    now = timezone.now()
    due = ballot(scene, opened=now - datetime.timedelta(days=2), closes=now, votes=["for"])
    before = AuditEvent.objects.count()

    done = manage("grant_app_role", app_role)
    assert done.returncode == 0, done.stderr
    # The application, connected as the role, does its work: the scheduled run closes
    # the due ballot and appends its events to the log, which still verifies.
    app_url = child_database_url(app_role)
    done = manage("run_scheduled", DATABASE_URL=app_url)
    assert done.returncode == 0, done.stderr
    due.refresh_from_db()
    assert due.status == BallotStatus.CLOSED
    assert AuditEvent.objects.count() > before
    done = manage("verify_audit_log", DATABASE_URL=app_url)
    assert done.returncode == 0 and done.stdout.startswith("OK: ")

    with as_role(app_role) as conn:
        assert conn.execute(f"SELECT count(*) FROM {AUDIT_TABLE}").fetchone()[0] > before
        for statement in (
            f"UPDATE {AUDIT_TABLE} SET action = 'forged'",
            f"DELETE FROM {AUDIT_TABLE}",
            f"TRUNCATE {AUDIT_TABLE}",
            f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER ALL",
            f"ALTER TABLE {AUDIT_TABLE} DISABLE TRIGGER governance_audit_append_only",
            f"DROP TRIGGER governance_audit_append_only ON {AUDIT_TABLE}",
            "SET session_replication_role = replica",
            f"CREATE TRIGGER sneaky BEFORE INSERT ON {AUDIT_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION governance_audit_append_only()",
            f"ALTER TABLE {AUDIT_TABLE} OWNER TO CURRENT_USER",
        ):
            assert refused(conn, statement), statement
        # Every other table is the application's to write (here: a ballot's row).
        conn.execute("UPDATE governance_ballot SET title = title WHERE id = %s", [due.pk])
    assert Ballot.objects.get(pk=due.pk).title == due.title
    assert manage("verify_audit_log").returncode == 0


def test_roles_that_could_alter_the_log_are_refused(app_role):
    done = manage("grant_app_role", connection.settings_dict.get("USER") or "postgres")
    assert done.returncode == 1 and "superuser" in done.stderr
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = %s", [AUDIT_TABLE])
        owner = cursor.fetchone()[0]
        cursor.execute(f'GRANT "{owner}" TO "{app_role}"')
    done = manage("grant_app_role", app_role)
    assert done.returncode == 1 and "member of its owner" in done.stderr
    done = manage("grant_app_role", "no_such_role_anywhere")
    assert done.returncode == 1 and "there is no database role" in done.stderr
