"""The application's least-privilege database role (PostgreSQL).

The audit log is append-only because triggers refuse UPDATE and DELETE on it
(governance/db.py). A superuser, or the table's owner, can disable those triggers
(`ALTER TABLE … DISABLE TRIGGER`, `SET session_replication_role = replica`) or empty
the table (TRUNCATE): so the application must not connect as either. Migrations run
as an owner role; the application runs as a role that may read and write rows of
every table but, on the audit table, only SELECT and INSERT.

`grant_app_role(role)` is run by the owner after each `migrate` (new tables need their
grants): `manage.py grant_app_role chaintable_app`. It refuses a role that could
undo the guarantees.
"""

from django.db import connection
from psycopg import sql

from .db import AUDIT_TABLE


class UnsafeRole(ValueError):
    """The role could alter the audit log: a superuser, its owner, or one of its members."""


def audit_table_owner() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = %s",
            [AUDIT_TABLE],
        )
        row = cursor.fetchone()
    if row is None:
        raise LookupError(f"{AUDIT_TABLE} does not exist: run `manage.py migrate` first")
    return row[0]


def check_role(role: str) -> None:
    """Raise UnsafeRole unless `role` exists and can neither own nor bypass the audit table."""
    owner = audit_table_owner()
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
        row = cursor.fetchone()
        if row is None:
            raise LookupError(f"there is no database role {role!r}: create it first")
        if row[0]:
            raise UnsafeRole(f"{role} is a superuser: it could disable the audit triggers")
        cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [role, owner])
        if cursor.fetchone()[0]:
            raise UnsafeRole(
                f"{role} owns the audit table or is a member of its owner {owner}: "
                "it could disable the audit triggers"
            )


def grant_app_role(role: str) -> None:
    """Rows of every table in the schema, sequences, and on the audit table only SELECT
    and INSERT (no UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES). Idempotent."""
    check_role(role)
    name = sql.Identifier(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = sql.Identifier(cursor.fetchone()[0])
    audit = sql.Identifier(AUDIT_TABLE)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}").format(
            schema, name
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, name),
        sql.SQL("REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA {} FROM {}").format(
            schema, name
        ),
        sql.SQL("REVOKE ALL ON {} FROM {}").format(audit, name),
        sql.SQL("GRANT SELECT, INSERT ON {} TO {}").format(audit, name),
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
