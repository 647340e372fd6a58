"""The Wagtail admin for the registry: scoping to the secretariat's groups, every save
through a service (one audit event, or none and a message), and listings whose query
count does not grow with the number of seats."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from governance.models import (
    AuditEvent,
    Chamber,
    ChamberQuota,
    Organisation,
    ReservedSeatRule,
    Seat,
    SeatAssignment,
    SeatRole,
    WorkingGroup,
    WorkingGroupRole,
)
from tests.factories import (
    ChamberFactory,
    OrganisationFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)


def url(model: str, view: str, *args) -> str:
    return reverse(f"governance_{model}:{view}", args=args)


@pytest.fixture
def other_group(db):
    return WorkingGroupFactory(name="Refiners' group")


@pytest.fixture
def secretariat(group):
    person = UserFactory(username="secretariat")
    give_role(person, group, "secretariat")
    return person


@pytest.fixture
def as_secretariat(client, secretariat):
    client.force_login(secretariat)
    return client


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return client


def today() -> datetime.date:
    return timezone.localdate()


def refused(response) -> bool:
    """Not found, forbidden, or Wagtail's way of saying forbidden to a browser: back to
    the dashboard with "Sorry, you do not have permission" (XHR requests get a 403)."""
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


# --- Pages ------------------------------------------------------------------------


def test_every_governance_page_renders_for_a_superuser(as_superuser, group):
    seat = SeatFactory(working_group=group)
    assignment = seat_person(seat)
    grant = give_role(UserFactory(), group, "member")
    home = as_superuser.get(reverse("wagtailadmin_home")).text
    assert "Governance" in home

    for model in [
        "workinggroup",
        "seat",
        "seatassignment",
        "workinggrouprole",
        "organisation",
        "chamber",
    ]:
        assert as_superuser.get(url(model, "index")).status_code == 200, model
        assert as_superuser.get(url(model, "add")).status_code == 200, model
    for model, pk in [
        ("workinggroup", group.pk),
        ("seat", seat.pk),
        ("seatassignment", assignment.pk),
        ("workinggrouprole", grant.pk),
        ("organisation", assignment.organisation_id),
        ("chamber", seat.chamber_id),
    ]:
        assert as_superuser.get(url(model, "edit", pk)).status_code == 200, model


def test_secretariat_sees_the_governance_menu_and_its_listings(as_secretariat, group):
    assert "Governance" in as_secretariat.get(reverse("wagtailadmin_home")).text
    for model in ["workinggroup", "seat", "seatassignment", "workinggrouprole", "organisation"]:
        assert as_secretariat.get(url(model, "index")).status_code == 200, model


def test_an_assignment_edit_page_shows_the_history_read_only(as_secretariat, group):
    assignment = seat_person(SeatFactory(working_group=group))

    form = as_secretariat.get(url("seatassignment", "edit", assignment.pk)).context["form"]

    assert list(form.fields) == ["end"]


# --- Scoping ------------------------------------------------------------------------


def test_secretariat_lists_only_its_own_groups_seats(as_secretariat, group, other_group):
    SeatFactory(working_group=group, label="Own-seat-1")
    SeatFactory(working_group=other_group, label="Foreign-seat-1")

    response = as_secretariat.get(url("seat", "index"))

    assert response.status_code == 200
    assert "Own-seat-1" in response.text
    assert "Foreign-seat-1" not in response.text
    groups = as_secretariat.get(url("workinggroup", "index")).text
    assert group.name in groups
    assert "Refiners" not in groups


def test_secretariat_cannot_reach_another_groups_objects_by_url(as_secretariat, group, other_group):
    foreign = SeatFactory(working_group=other_group, label="Foreign-seat-1")
    assignment = seat_person(foreign)
    grant = give_role(UserFactory(), other_group, "member")

    for target in [
        url("seat", "edit", foreign.pk),
        url("seat", "retire", foreign.pk),
        url("seatassignment", "edit", assignment.pk),
        url("workinggrouprole", "edit", grant.pk),
        url("workinggroup", "edit", other_group.pk),
    ]:
        assert refused(as_secretariat.get(target)), target

    response = as_secretariat.post(
        url("seat", "edit", foreign.pk),
        {"chamber": foreign.chamber_id, "label": "Hijacked", "weight": "1", "sort_order": "0"},
    )
    assert refused(response)
    assert refused(as_secretariat.post(url("seat", "retire", foreign.pk)))
    foreign.refresh_from_db()
    assert (foreign.label, foreign.is_active) == ("Foreign-seat-1", True)
    assert not AuditEvent.objects.exists()


def test_forged_working_group_creates_no_seat(as_secretariat, group, other_group):
    chamber = ChamberFactory()

    response = as_secretariat.post(
        url("seat", "add"),
        {
            "working_group": other_group.pk,
            "chamber": chamber.pk,
            "label": "Smuggled",
            "weight": "1",
            "sort_order": "0",
        },
    )

    assert response.status_code == 200
    assert "working_group" in response.context["form"].errors
    assert not Seat.objects.exists()
    assert not AuditEvent.objects.exists()


def test_secretariat_only_edits_the_end_of_a_term(as_secretariat, group):
    seat = SeatFactory(working_group=group)
    assignment = seat_person(seat)
    last_day = today() + datetime.timedelta(days=10)

    response = as_secretariat.post(
        url("seatassignment", "edit", assignment.pk),
        {"end": last_day.isoformat(), "person": UserFactory().pk, "role": SeatRole.ALTERNATE},
    )

    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.end == last_day
    assert assignment.role == SeatRole.HOLDER
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["seat_assignment.ended"]


def test_ending_a_term_before_it_starts_shows_the_service_message(as_secretariat, group):
    assignment = seat_person(SeatFactory(working_group=group))

    response = as_secretariat.post(
        url("seatassignment", "edit", assignment.pk),
        {"end": (assignment.start - datetime.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200
    assert "cannot end before it starts" in str(response.context["form"].errors["end"])
    assignment.refresh_from_db()
    assert assignment.end is None
    assert not AuditEvent.objects.exists()


# --- Saves go through the services -----------------------------------------------------


def test_creating_a_seat_writes_exactly_one_audit_event(as_secretariat, group):
    chamber = ChamberFactory()

    response = as_secretariat.post(
        url("seat", "add"),
        {
            "working_group": group.pk,
            "chamber": chamber.pk,
            "label": "Civil society 1",
            "weight": "1.5",
            "sort_order": "0",
        },
    )

    assert response.status_code == 302
    seat = Seat.objects.get()
    assert (seat.working_group, seat.label) == (group, "Civil society 1")
    event = AuditEvent.objects.get()
    assert (event.action, event.object_id) == ("seat.created", str(seat.pk))


def test_assignment_that_breaks_a_reserved_seat_rule_is_refused(as_secretariat, group):
    group.max_seats = 2
    group.save()
    ReservedSeatRule.objects.create(
        working_group=group, label="At least 1 non-profit", min_seats=1, require_non_profit=True
    )
    chamber = ChamberFactory()
    held = SeatFactory(working_group=group, chamber=chamber)
    seat_person(held)
    vacant = SeatFactory(working_group=group, chamber=chamber, label="Vacant seat")
    person = UserFactory()
    before = SeatAssignment.objects.count()

    response = as_secretariat.post(
        url("seatassignment", "add"),
        {
            "seat": vacant.pk,
            "person": person.pk,
            "role": SeatRole.HOLDER,
            "organisation": OrganisationFactory(is_non_profit=False).pk,
            "start": today().isoformat(),
        },
    )

    assert response.status_code == 200
    assert "At least 1 non-profit" in str(response.context["form"].non_field_errors())
    assert "At least 1 non-profit" in response.text
    assert SeatAssignment.objects.count() == before
    assert not AuditEvent.objects.exists()


def test_assignment_through_the_admin_starts_a_term(as_secretariat, group):
    seat = SeatFactory(working_group=group)
    person, organisation = UserFactory(), OrganisationFactory()

    response = as_secretariat.post(
        url("seatassignment", "add"),
        {
            "seat": seat.pk,
            "person": person.pk,
            "role": SeatRole.HOLDER,
            "organisation": organisation.pk,
            "start": today().isoformat(),
        },
    )

    assert response.status_code == 302
    assert SeatAssignment.objects.get().person == person
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["seat_assignment.started"]


def test_retiring_replaces_deleting(as_secretariat, group):
    seat = SeatFactory(working_group=group)

    assert as_secretariat.get(f"/admin/governance/seat/delete/{seat.pk}/").status_code == 404
    assert as_secretariat.get(url("seat", "retire", seat.pk)).status_code == 200
    response = as_secretariat.post(url("seat", "retire", seat.pk))

    assert response.status_code == 302
    seat.refresh_from_db()
    assert not seat.is_active
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["seat.retired"]


def test_retiring_a_held_seat_is_refused_with_the_reason(as_secretariat, group):
    seat = SeatFactory(working_group=group)
    seat_person(seat)

    response = as_secretariat.post(url("seat", "retire", seat.pk))

    assert response.status_code == 200
    assert "End this seat" in response.text
    seat.refresh_from_db()
    assert seat.is_active
    assert not AuditEvent.objects.exists()


def test_secretariat_grants_member_roles_but_not_privileged_ones(as_secretariat, group):
    person = UserFactory()
    data = {"working_group": group.pk, "person": person.pk, "start": today().isoformat()}

    refused = as_secretariat.post(url("workinggrouprole", "add"), {**data, "role": "chair"})
    assert refused.status_code == 200
    assert "role" in refused.context["form"].errors
    assert not WorkingGroupRole.objects.filter(person=person).exists()

    granted = as_secretariat.post(url("workinggrouprole", "add"), {**data, "role": "member"})
    assert granted.status_code == 302
    assert WorkingGroupRole.objects.get(person=person).role == "member"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["role.granted"]


# --- Registry: organisations, chambers, working groups ------------------------------------


def test_superuser_creates_an_organisation_and_a_chamber(as_superuser):
    response = as_superuser.post(
        url("organisation", "add"),
        {
            "name": "Kolwezi Miners' Cooperative",
            "chain_link": "asm_cooperative",
            "country": "CD",
            "membership_status": "member",
            "represents_artisanal_miners": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.slug == "kolwezi-miners-cooperative"

    response = as_superuser.post(
        url("chamber", "add"), {"name": "Artisanal miners", "sort_order": "1"}
    )
    assert response.status_code == 302
    assert Chamber.objects.get().slug == "artisanal-miners"
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "organisation.created",
        "chamber.created",
    ]


def test_an_editor_working_in_french_edits_the_english_source(as_superuser, superuser):
    """The admin edits the authoritative English; the French stays the approved
    translation (translations go through the Translations screen)."""
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(superuser)
    profile.preferred_language = "fr"
    profile.save()
    chamber = ChamberFactory(name="Government")
    Chamber.objects.filter(pk=chamber.pk).update(name_fr="Gouvernement")
    form = as_superuser.get(url("chamber", "edit", chamber.pk)).content.decode()
    assert 'value="Government"' in form and 'value="Gouvernement"' not in form
    assert "Traductions" in form or "Translations" in form  # the field says where they go
    response = as_superuser.post(
        url("chamber", "edit", chamber.pk),
        {"name": "Governments", "slug": "government", "sort_order": "2"},
    )
    assert response.status_code == 302
    chamber.refresh_from_db()
    assert (chamber.name_en, chamber.name_fr) == ("Governments", "Gouvernement")


def test_secretariat_cannot_create_organisations_or_chambers(as_secretariat):
    organisation = {"name": "Shell company", "chain_link": "trader", "country": "CD"}
    for target, data in [
        (url("organisation", "add"), organisation),
        (url("chamber", "add"), {"name": "Ghosts"}),
    ]:
        assert as_secretariat.get(target, **XHR).status_code == 403
        assert as_secretariat.post(target, data, **XHR).status_code == 403
        assert refused(as_secretariat.post(target, data))
    assert not Organisation.objects.exists()
    assert not Chamber.objects.exists()
    assert not AuditEvent.objects.exists()
    # They may still read the list of organisations, without edit links.
    OrganisationFactory(name="Listed org")
    listing = as_secretariat.get(url("organisation", "index"))
    assert listing.status_code == 200
    assert "Listed org" in listing.text
    edit = url("organisation", "edit", Organisation.objects.get().pk)
    assert as_secretariat.get(edit, **XHR).status_code == 403


def _group_form(name: str, quotas: list[dict]) -> dict:
    return nested_form_data(
        {
            "name": name,
            "status": "active",
            "mandate": rich_text("<p>Draft the standard.</p>"),
            "max_seats": "",
            "reference_time_zone": "Africa/Lubumbashi",
            "min_public_consultation_days": "60",
            "chamber_quotas": inline_formset(quotas),
            "reserved_seat_rules": inline_formset([]),
        }
    )


def test_superuser_creates_a_working_group_with_its_rules(as_superuser):
    miners = ChamberFactory(name="Artisanal miners")

    response = as_superuser.post(
        url("workinggroup", "add"),
        _group_form("Traceability", [{"chamber": miners.pk, "min_seats": "2"}]),
    )

    assert response.status_code == 302
    group = WorkingGroup.objects.get()
    assert group.slug == "traceability"
    assert list(group.chamber_quotas.values_list("chamber", "min_seats")) == [(miners.pk, 2)]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["working_group.created"]


def test_secretariat_cannot_create_working_groups(as_secretariat):
    assert as_secretariat.get(url("workinggroup", "add"), **XHR).status_code == 403
    assert refused(as_secretariat.post(url("workinggroup", "add"), _group_form("Rogue", [])))
    assert not WorkingGroup.objects.filter(name="Rogue").exists()
    assert not AuditEvent.objects.exists()


def test_working_group_edit_shows_composition_status(as_secretariat, group):
    miners = ChamberFactory(name="Artisanal miners")
    industry = ChamberFactory(name="Industry")
    ChamberQuota.objects.create(working_group=group, chamber=miners, min_seats=1)
    ChamberQuota.objects.create(working_group=group, chamber=industry, min_seats=2)
    SeatFactory(working_group=group, chamber=miners)
    SeatFactory(working_group=group, chamber=industry)

    response = as_secretariat.get(url("workinggroup", "edit", group.pk))

    assert response.status_code == 200
    assert "At least 1 seat(s) for Artisanal miners — met" in response.text
    assert "At least 2 seat(s) for Industry — short by 1" in response.text


def test_rule_the_current_seats_break_is_refused_and_nothing_changes(as_secretariat, group):
    miners = ChamberFactory(name="Artisanal miners")
    quota = ChamberQuota.objects.create(working_group=group, chamber=miners, min_seats=1)
    SeatFactory(working_group=group, chamber=miners)
    data = _group_form(group.name, [{"id": quota.pk, "chamber": miners.pk, "min_seats": "3"}])
    data.update({"slug": group.slug, "chamber_quotas-INITIAL_FORMS": "1"})

    response = as_secretariat.post(url("workinggroup", "edit", group.pk), data)

    assert response.status_code == 200
    assert "already break this rule" in str(response.context["form"].non_field_errors())
    quota.refresh_from_db()
    assert quota.min_seats == 1
    assert not AuditEvent.objects.exists()


# --- The seat listing -------------------------------------------------------------------


def test_seat_listing_shows_holders_terms_and_vacancies(as_secretariat, group):
    held = SeatFactory(working_group=group, label="Held seat")
    holder = seat_person(held, organisation=OrganisationFactory(name="Mutoshi Coop"))
    seat_person(held, role=SeatRole.ALTERNATE, person=UserFactory(display_name="Alt Person"))
    SeatFactory(working_group=group, label="Empty seat")

    response = as_secretariat.get(url("seat", "index"))

    assert f"{holder.person.public_name} (Mutoshi Coop)" in response.text
    assert "Alt Person" in response.text
    assert "Vacant" in response.text
    assert held.chamber.name in response.text


def _fill(group, count: int) -> None:
    chamber = ChamberFactory(name="Industry")
    for _ in range(count):
        seat = SeatFactory(working_group=group, chamber=chamber)
        seat_person(seat)
        seat_person(seat, role=SeatRole.ALTERNATE)


def _listing_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("seat", "index"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["secretariat", "superuser"])
def test_seat_listing_query_count_does_not_grow_with_seats(
    client, group, secretariat, superuser, who
):
    """Expected, whatever the number of seats (SQLite, secretariat: 16; superuser: 12):
    session, user, the user's and groups' model permissions, Wagtail's user profile,
    the page count, locales, page and collection permissions for the menu, guardian's
    permission lookups and the managed groups for the filter, the chambers for the
    filter, whether to show the translators' menu, then ONE query for the page of seats (with working group, chamber and
    parent chamber) and ONE for their current assignments (with person and
    organisation)."""
    client.force_login(secretariat if who == "secretariat" else superuser)
    _fill(group, 10)
    client.get(url("seat", "index"))  # warm per-process caches (content types, …)
    with_10 = _listing_queries(client)
    _fill(group, 40)
    with_50 = _listing_queries(client)

    assert Seat.objects.count() == 50
    assert with_50 == with_10
    assert with_10 <= 21


def test_the_person_picker_shows_each_person_once_with_their_organisation(as_secretariat, group):

    refinery = OrganisationFactory(name="Katanga Cobalt Refining")
    coop = OrganisationFactory(name="COMIAKOL")
    aline = UserFactory(display_name="Aline Kazadi", organisation=refinery)
    namesake = UserFactory(display_name="Aline Kazadi", organisation=coop)
    loner = UserFactory(display_name="Jean Mukendi", organisation=None)
    for n in range(3):  # seats and roles must not repeat a person
        seat_person(SeatFactory(working_group=group, label=f"S{n}"), person=aline)
    give_role(aline, group, "member")
    field = as_secretariat.get(url("seatassignment", "add")).context["form"].fields["person"]
    choices = [(str(value), label) for value, label in field.choices if value]
    values = [value for value, _label in choices]
    assert len(values) == len(set(values))
    labels = dict(choices)
    assert labels[str(aline.pk)] != labels[str(namesake.pk)]
    assert "Katanga Cobalt Refining" in labels[str(aline.pk)]
    assert "COMIAKOL" in labels[str(namesake.pk)]
    assert labels[str(loner.pk)].startswith("Jean Mukendi")
