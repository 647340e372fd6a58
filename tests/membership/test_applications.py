"""Applying to join and the secretariat's review: application → ask for more → answer →
accept or decline → membership, with the emails and the audit events."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from governance import register
from governance.models import AuditEvent, MembershipStatus, Organisation, User
from membership import services
from membership.models import Application, ApplicationStatus, Contribution, Membership
from tests.factories import ChamberFactory, OrganisationFactory, UserFactory

FORM = {
    "organisation_name": "Likasi Cobalt Refinery",
    "country": "CD",
    "website": "https://likasi.example",
    "description": "A refinery in Likasi.",
    "chain_link": "refiner",
    "contact_name": "Patrice Kalenga",
    "contact_email": "patrice@likasi.example",
    "statement": "We want our sourcing to meet the standard.",
    "declared_tonnes": "1200",
    "declared_tier": "",
    "competition_acknowledged": "on",
}


def submit(**changes):
    data = {**FORM, "competition_acknowledged": True, **changes}
    data.setdefault("language", "fr")
    actor = data.pop("actor", AnonymousUser())
    return services.application_submit(actor=actor, **data)


def link_in(message) -> str:
    """The path of the first link to this site in an email."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def actions(application) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="membership.application", object_id=str(application.pk)
        ).values_list("action", flat=True)
    )


def test_apply_ask_for_more_answer_and_accept_makes_a_member(
    client, secretariat, schedule, committed
):
    with committed():
        response = client.post("/fr/join/", FORM)
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.status, application.language) == (ApplicationStatus.PENDING, "fr")
    assert application.declared_tonnes == Decimal("1200.00")
    received = mail.outbox[-1]
    assert received.to == ["patrice@likasi.example"]
    assert "Likasi Cobalt Refinery" in received.subject and "demande" in received.subject

    with committed():
        question = services.application_request_info(
            actor=secretariat, application=application, question="Which sites do you buy from?"
        )
    asked = mail.outbox[-1]
    assert "Which sites do you buy from?" in asked.body and "secrétariat" in asked.body
    answer_path = link_in(asked)
    assert answer_path.startswith("/fr/join/answer/")
    page = client.get(answer_path)
    assert page.status_code == 200 and "Which sites do you buy from?" in page.text
    client.post(answer_path, {"answer": "Kasulo and Kanina, through licensed traders."})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING
    assert [(s.kind, s.message) for s in application.history.all()][1:] == [
        ("info_requested", "Which sites do you buy from?"),
        ("answered", "Kasulo and Kanina, through licensed traders."),
    ]
    with translation.override("en"), pytest.raises(ValidationError, match="answered already"):
        services.application_answer(token=answer_path.split("/")[-2], answer="Again")  # once
    assert question.pk

    industry = ChamberFactory(name="Industry")
    with committed():
        services.application_accept(actor=secretariat, application=application, chamber=industry)
    organisation = Organisation.objects.get(name="Likasi Cobalt Refinery")
    assert organisation.membership_status == MembershipStatus.MEMBER
    assert (organisation.chain_link, organisation.chamber, organisation.country.code) == (
        "refiner",
        industry,
        "CD",
    )
    contact = User.objects.get(email="patrice@likasi.example")
    assert contact.organisation == organisation and not contact.has_usable_password()
    assert contact.preferred_language == "fr"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.contact, membership.declared_tonnes) == (contact, Decimal("1200.00"))
    contribution = Contribution.objects.get(organisation=organisation)
    assert (contribution.tier, contribution.amount) == ("B", Decimal("60000.00"))
    welcome = mail.outbox[-1]
    assert welcome.to == ["patrice@likasi.example"] and contact.username in welcome.body
    assert (
        "/fr/accounts/password/reset/" in welcome.body
        or "/accounts/password/reset/" in welcome.body
    )
    assert actions(application) == [
        "application.submitted",
        "application.info_requested",
        "application.answered",
        "application.accepted",
    ]
    assert not AuditEvent.objects.filter(object_type="membership.application", is_public=True)
    admitted = AuditEvent.objects.get(action="organisation.admitted")
    assert admitted.is_public and admitted.object_id == str(organisation.pk)
    with translation.override("en"):
        entries = register.register_entries(register.alliance_register())
    sentences = [e.sentence for e in entries]
    assert sentences == [
        "Admitted as a member organisation: Likasi Cobalt Refinery; link in the chain: Refiner"
    ]


def test_decline_tells_the_applicant_why_and_stays_out_of_the_public_register(
    secretariat, committed
):
    application = submit(chain_link="civil_society", declared_tonnes="")
    with pytest.raises(ValidationError, match="Give the reason"):
        services.application_decline(actor=secretariat, application=application, reason="  ")
    with committed():
        services.application_decline(
            actor=secretariat, application=application, reason="Outside the alliance's scope."
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DECLINED
    assert "Outside the alliance's scope." in mail.outbox[-1].body
    assert not Organisation.objects.filter(name=FORM["organisation_name"]).exists()
    assert list(register.alliance_register()) == []
    assert actions(application)[-1] == "application.declined"
    with pytest.raises(ValidationError, match="decided already"):
        services.application_accept(actor=secretariat, application=application)


def test_only_the_secretariat_reviews(person, schedule):
    application = submit()
    for review in (
        lambda: services.application_accept(actor=person, application=application),
        lambda: services.application_decline(actor=person, application=application, reason="x"),
        lambda: services.application_request_info(
            actor=person, application=application, question="x"
        ),
    ):
        with pytest.raises(PermissionDenied):
            review()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_a_second_open_application_or_a_member_is_caught(schedule):
    submit()
    with pytest.raises(ValidationError, match="already waiting for review"):
        submit(organisation_name="likasi cobalt REFINERY", contact_email="other@x.example")
    OrganisationFactory(name="Katanga Cobalt Refining", membership_status=MembershipStatus.MEMBER)
    with pytest.raises(ValidationError, match="already a member of the alliance"):
        submit(organisation_name="Katanga Cobalt Refining", contact_email="k@x.example")
    assert Application.objects.count() == 1


def test_an_applicant_organisation_on_record_is_linked_then_admitted(secretariat, schedule):
    known = OrganisationFactory(
        name="Former Refiner", membership_status=MembershipStatus.FORMER, chain_link="refiner"
    )
    application = submit(organisation_name="former refiner", contact_email="f@x.example")
    assert application.organisation == known
    services.application_accept(actor=secretariat, application=application)
    known.refresh_from_db()
    assert known.membership_status == MembershipStatus.MEMBER
    assert Organisation.objects.filter(name__iexact="former refiner").count() == 1


def test_a_contact_address_of_someone_else_is_refused_but_its_owner_may_apply(
    secretariat, schedule, committed
):
    owner = UserFactory(email="patrice@likasi.example")
    with pytest.raises(ValidationError, match="belongs to an existing account"):
        submit()
    application = submit(actor=owner)
    assert application.contact == owner
    with committed():
        services.application_accept(actor=secretariat, application=application)
    owner.refresh_from_db()
    assert owner.organisation.name == FORM["organisation_name"]
    assert owner.has_usable_password()  # their own account, not a new one
    assert User.objects.filter(email__iexact="patrice@likasi.example").count() == 1
    assert "password/reset" not in mail.outbox[-1].body


BAD_INPUT = [
    ({"organisation_name": ""}, "Indiquez le nom de votre organisation"),
    ({"declared_tonnes": "-5"}, "ne peut pas être négatif"),
    ({"declared_tonnes": "9000000"}, "plus de cobalt que le monde"),
    ({"declared_tonnes": "beaucoup"}, "Indiquez le tonnage sous forme de nombre"),
    ({"declared_tonnes": ""}, "Indiquez votre teneur en cobalt"),
    ({"chain_link": "smelter"}, "Choisissez dans la liste le maillon"),
    ({"statement": "x" * 3001}, "Ce texte est trop long"),
    ({"competition_acknowledged": ""}, "Prenez acte de l’avis"),
    ({"contact_email": "not-an-address"}, "Indiquez une adresse e-mail"),
    ({"country": "XX"}, "Choisissez le pays dans la liste"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_INPUT)
def test_bad_input_is_refused_in_the_applicants_language_and_stores_nothing(
    client, schedule, changes, message, committed
):
    events = AuditEvent.objects.count()
    with committed():
        response = client.post("/fr/join/", {**FORM, **changes})
    assert response.status_code == 200
    assert message in response.text, response.text[:3000]
    assert 'role="alert"' in response.text
    assert Application.objects.count() == 0
    assert AuditEvent.objects.count() == events and mail.outbox == []


@pytest.mark.parametrize(
    ("scene", "message"),
    [
        ("member", "est déjà membre de l’alliance"),
        ("pending", "attend déjà d’être examinée"),
        ("email", "appartient à un compte existant"),
    ],
)
def test_duplicates_are_refused_in_the_applicants_language(client, schedule, scene, message):
    if scene == "member":
        OrganisationFactory(name=FORM["organisation_name"])
    elif scene == "pending":
        submit(contact_email="first@x.example")
    else:
        UserFactory(email=FORM["contact_email"].upper())
    count, events = Application.objects.count(), AuditEvent.objects.count()
    response = client.post("/fr/join/", FORM)
    assert response.status_code == 200 and message in response.text
    assert (Application.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_non_industry_applicants_skip_the_declaration(client, schedule):
    response = client.post(
        "/sw/join/", {**FORM, "chain_link": "asm_cooperative", "declared_tonnes": ""}
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.declared_tonnes, application.language) == (None, "sw")
