"""Give the application's database role what it needs, and no way to alter the audit log.

    DATABASE_URL=postgres://chaintable_owner@…/chaintable manage.py migrate
    DATABASE_URL=postgres://chaintable_owner@…/chaintable manage.py grant_app_role chaintable_app

Run as the role that owns the tables (the one that ran the migrations), after every
`migrate`. The application then connects as `chaintable_app`: it reads and writes the
rows of every table, but may only SELECT and INSERT on the audit log — no UPDATE,
DELETE, TRUNCATE or TRIGGER — and, not being a superuser nor the table's owner,
cannot disable the triggers that keep the log append-only (governance/db_roles.py).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from governance import db_roles


class Command(BaseCommand):
    help = "Grant the application's least-privilege PostgreSQL role its rights (run after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("role", help="The role the application connects as.")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Database roles are for PostgreSQL; this database is not.")
        try:
            with transaction.atomic():
                db_roles.grant_app_role(role)
        except (LookupError, db_roles.UnsafeRole) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{role} may read and write every table, and only read and append to the audit log."
        )
