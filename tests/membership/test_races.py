"""Races against PostgreSQL with real threads, each on its own connection: the same
organisation applying twice at once, and two secretariat members accepting at once."""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from governance.models import AuditEvent, Organisation
from membership import services
from membership.models import Application, ApplicationStatus
from tests.governance.test_ballot_concurrency import message, race
from tests.membership.test_applications import FORM

pytestmark = [
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="needs PostgreSQL: SQLite's writers never race",
    ),
    pytest.mark.django_db(transaction=True),
]


def apply(n: int):
    data = {**FORM, "competition_acknowledged": True, "contact_email": f"c{n}@likasi.example"}
    return lambda: services.application_submit(actor=AnonymousUser(), language="en", **data)


def test_the_same_organisation_applying_eight_times_at_once_is_stored_once():
    results = race([apply(n) for n in range(8)])
    stored = [value for kind, value in results if kind == "ok"]
    refusals = [message(value) for kind, value in results if kind == "error"]
    print(f"stored {len(stored)}, refused {len(refusals)}")
    assert len(stored) == 1 and Application.objects.count() == 1
    assert refusals and all("already waiting for review" in text for text in refusals)
    assert AuditEvent.objects.filter(action="application.submitted").count() == 1


def test_two_secretaries_accepting_at_once_admit_once(group):
    from tests.factories import UserFactory, give_role

    secretaries = [UserFactory() for _ in range(2)]
    for person in secretaries:
        give_role(person, group, "secretariat")
    application = apply(0)()
    results = race(
        [
            lambda person=person: services.application_accept(actor=person, application=application)
            for person in secretaries
        ]
    )
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"]
    assert "decided already" in message(next(v for k, v in results if k == "error"))
    assert Application.objects.get().status == ApplicationStatus.ACCEPTED
    assert Organisation.objects.filter(name=FORM["organisation_name"]).count() == 1
    assert AuditEvent.objects.filter(action="organisation.admitted").count() == 1
