import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from governance import audit, services
from governance.models import AuditEvent, ReservedSeatRule, Seat, SeatRole
from tests.factories import ChamberFactory, OrganisationFactory, UserFactory, give_role


def test_secretariat_fills_a_seat_and_the_chain_verifies(group, superuser):
    secretariat = UserFactory()
    services.role_grant(actor=superuser, group=group, person=secretariat, role="secretariat",
                        start=datetime.date.today())
    seat = services.seat_save(actor=secretariat, seat=Seat(working_group=group, chamber=ChamberFactory(name="Industry"), label="I-1"))
    holder = UserFactory()
    services.seat_assignment_start(actor=secretariat, seat=seat, person=holder, role=SeatRole.HOLDER,
                                   organisation=OrganisationFactory(), start=datetime.date.today())
    assert audit.verify_chain().ok
    assert AuditEvent.objects.count() == 3
    with pytest.raises(ValidationError):
        services.seat_assignment_start(actor=secretariat, seat=seat, person=UserFactory(), role=SeatRole.HOLDER,
                                       organisation=OrganisationFactory(), start=datetime.date.today())
    with pytest.raises(PermissionDenied):
        services.seat_save(actor=holder, seat=Seat(working_group=group, chamber=seat.chamber, label="I-2"))
    assert AuditEvent.objects.count() == 3


def test_reservation_refuses_the_assignment_that_breaks_it(group, superuser):
    group.max_seats = 2
    group.save()
    ReservedSeatRule.objects.create(working_group=group, label="at least 1 non-profit", min_seats=1, require_non_profit=True)
    chamber = ChamberFactory()
    a = services.seat_save(actor=superuser, seat=Seat(working_group=group, chamber=chamber, label="A"))
    b = services.seat_save(actor=superuser, seat=Seat(working_group=group, chamber=chamber, label="B"))
    services.seat_assignment_start(actor=superuser, seat=a, person=UserFactory(), role="holder",
                                   organisation=OrganisationFactory(), start=datetime.date.today())
    with pytest.raises(ValidationError, match="at least 1 non-profit"):
        services.seat_assignment_start(actor=superuser, seat=b, person=UserFactory(), role="holder",
                                       organisation=OrganisationFactory(), start=datetime.date.today())
    with pytest.raises(ValidationError, match="at most 2 seats"):
        services.seat_save(actor=superuser, seat=Seat(working_group=group, chamber=chamber, label="C"))
    give_role
