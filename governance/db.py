"""Database-level guarantees that Django's portable constraints cannot express.

Used by migrations and by tests that must tamper with the audit log on purpose.
"""

AUDIT_TABLE = "governance_auditevent"
APPEND_ONLY_MESSAGE = "audit events are append-only"

_POSTGRES_TRIGGER = f"""
CREATE OR REPLACE FUNCTION governance_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_audit_append_only
    BEFORE UPDATE OR DELETE ON {AUDIT_TABLE}
    FOR EACH ROW EXECUTE FUNCTION governance_audit_append_only();
"""

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER IF NOT EXISTS governance_audit_no_{op.lower()}
        BEFORE {op} ON {AUDIT_TABLE}
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END;"""
    for op in ("UPDATE", "DELETE")
]

# One current holder / alternate per seat, one role of a kind per person: no
# overlapping terms. Terms are whole days, end inclusive, NULL = open-ended.
_POSTGRES_EXCLUSIONS = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE governance_seatassignment ADD CONSTRAINT seatassignment_no_overlap
    EXCLUDE USING gist (seat_id WITH =, role WITH =,
                        daterange(start, "end", '[]') WITH &&);
ALTER TABLE governance_workinggrouprole ADD CONSTRAINT workinggrouprole_no_overlap
    EXCLUDE USING gist (working_group_id WITH =, person_id WITH =, role WITH =,
                        daterange(start, "end", '[]') WITH &&);
"""


def install_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRES_TRIGGER)
        schema_editor.execute(_POSTGRES_EXCLUSIONS)
    elif vendor == "sqlite":
        for sql in _SQLITE_TRIGGERS:
            schema_editor.execute(sql)


def remove_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            f"DROP TRIGGER IF EXISTS governance_audit_append_only ON {AUDIT_TABLE};"
            "DROP FUNCTION IF EXISTS governance_audit_append_only();"
            "ALTER TABLE governance_seatassignment DROP CONSTRAINT IF EXISTS seatassignment_no_overlap;"
            "ALTER TABLE governance_workinggrouprole DROP CONSTRAINT IF EXISTS workinggrouprole_no_overlap;"
        )
    elif vendor == "sqlite":
        for op in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS governance_audit_no_{op};")


def sqlite_audit_triggers() -> list[str]:
    return list(_SQLITE_TRIGGERS)
