"""Applying to join and the secretariat's review: submit, ask for more, answer, accept,
decline. Each step locks the application, checks, writes its history and the audit
log in one transaction, and emails the applicant in their language after commit.

Audit events of applications are never public: a refusal is nobody's business but
the applicant's. The admission itself is public (governance's "organisation.admitted").
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance import services as governance_services
from governance.models import (
    BallotStatus,
    ChainLink,
    Chamber,
    Decision,
    MembershipStatus,
    Organisation,
    User,
)
from governance.services import refuse, require

from .. import bands, notifications, tokens
from ..models import (
    MAX_DESCRIPTION,
    MAX_MESSAGE,
    MAX_STATEMENT,
    Application,
    ApplicationEvent,
    ApplicationStatus,
    BandTier,
    Membership,
)
from .contributions import assess_member, schedule_bands, schedule_for

# More cobalt content than the world mines in a year is a typing error.
MAX_TONNES = Decimal(500_000)
# Ballots still deciding: an application attached to one waits for it.
DECIDING = (BallotStatus.DRAFT, BallotStatus.OPEN, BallotStatus.CLOSED)

NOT_SECRETARIAT = _("Only the secretariat reviews applications.")


def _record(application, kind, *, actor=None, message="", now=None) -> ApplicationEvent:
    event = ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        message=message,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now or timezone.now(),
    )
    audit.record(
        at=now,
        actor=actor,
        action=f"application.{kind}",
        obj=application,
        payload={"status": application.status, "step": event.pk},
    )
    return event


def _locked(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _text(value, *, field: str, limit: int, required: bool, missing: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        refuse(missing, field)
    if len(value) > limit:
        refuse(
            _("This text is too long: at most %(limit)s characters, you wrote %(n)s.")
            % {"limit": limit, "n": len(value)},
            field,
        )
    return value


def parse_tonnes(value) -> Decimal | None:
    """Tonnes as typed: empty is None; anything else a number from 0 to MAX_TONNES.
    Raises ValidationError on the `declared_tonnes` field."""
    if value in (None, ""):
        return None
    try:
        tonnes = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        refuse(_("Give the tonnes as a number, for example 120 or 12.5."), "declared_tonnes")
    if not tonnes.is_finite():
        refuse(_("Give the tonnes as a number, for example 120 or 12.5."), "declared_tonnes")
    if tonnes < 0:
        refuse(_("Tonnes cannot be negative."), "declared_tonnes")
    if tonnes > MAX_TONNES:
        refuse(
            _(
                "%(tonnes)s tonnes is more cobalt than the world mines in a year. Check the "
                "figure: it is the cobalt content, in tonnes per year."
            )
            % {"tonnes": tonnes},
            "declared_tonnes",
        )
    return tonnes.quantize(Decimal("0.01"))


def check_declaration(chain_link: str, tonnes, tier: str, *, year: int):
    """(tonnes, tier) as stored: both empty for a link that pays nothing this year;
    otherwise one that places the applicant in a band of the year's schedule."""
    schedule = schedule_for(year)
    rows = schedule_bands(schedule) if schedule else []
    if not bands.pays_by_band(rows, chain_link):
        return None, ""
    if tier and tier not in BandTier.values:
        refuse(_("Choose one of the bands listed."), "declared_tier")
    try:
        bands.assess(rows, chain_link, tonnes=tonnes, tier="" if tonnes is not None else tier)
    except bands.DeclarationError as error:
        refuse(str(error), "declared_tonnes")
    return tonnes, ("" if tonnes is not None else tier)


def duplicate_refusal(name: str) -> str | None:
    """Why an application for `name` cannot be made now, or None."""
    if Application.objects.open().filter(organisation_name__iexact=name).exists():
        return _(
            "An application for %(name)s is already waiting for review. The secretariat "
            "will answer it; you do not need to apply again."
        ) % {"name": name}
    if Organisation.objects.filter(
        name__iexact=name, membership_status=MembershipStatus.MEMBER
    ).exists():
        return _("%(name)s is already a member of the alliance.") % {"name": name}
    return None


@transaction.atomic
def application_submit(
    *,
    actor,
    organisation_name: str,
    country: str,
    chain_link: str,
    contact_name: str,
    contact_email: str,
    statement: str,
    competition_acknowledged: bool,
    language: str,
    website: str = "",
    description: str = "",
    declared_tonnes=None,
    declared_tier: str = "",
    now: datetime.datetime | None = None,
) -> Application:
    """Store an application and tell the applicant it arrived. Anyone may apply; a
    logged-in person becomes the contact when the address is theirs. Everything is
    checked before anything is stored."""
    now = now or timezone.now()
    name = _text(
        organisation_name,
        field="organisation_name",
        limit=200,
        required=True,
        missing=_("Give the name of your organisation."),
    )
    if chain_link not in ChainLink.values:
        refuse(_("Choose your organisation's link in the chain from the list."), "chain_link")
    contact_name = _text(
        contact_name,
        field="contact_name",
        limit=150,
        required=True,
        missing=_("Give the name of the contact person."),
    )
    statement = _text(
        statement,
        field="statement",
        limit=MAX_STATEMENT,
        required=True,
        missing=_("Tell us why your organisation wants to join."),
    )
    description = _text(description, field="description", limit=MAX_DESCRIPTION, required=False)
    if not competition_acknowledged:
        refuse(_("Acknowledge the competition-law notice to apply."), "competition_acknowledged")
    email = User.objects.normalize_email((contact_email or "").strip())
    if not email:
        refuse(_("Give the contact person's email address."), "contact_email")
    owner = User.objects.filter(email__iexact=email).first()
    actor_account = actor if getattr(actor, "is_authenticated", False) else None
    if owner is not None and owner != actor_account:
        refuse(
            _(
                "This email address belongs to an existing account. Log in with that account "
                "to apply, or give another address."
            ),
            "contact_email",
        )
    tonnes, tier = check_declaration(
        chain_link, parse_tonnes(declared_tonnes), declared_tier or "", year=now.year
    )
    if (why := duplicate_refusal(name)) is not None:
        refuse(why, "organisation_name")
    application = Application(
        organisation_name=name,
        country=country,
        website=(website or "").strip(),
        description=description,
        chain_link=chain_link,
        organisation=Organisation.objects.filter(name__iexact=name).first(),
        contact_name=contact_name,
        contact_email=email,
        contact=owner,
        language=language,
        statement=statement,
        declared_tonnes=tonnes,
        declared_tier=tier,
        competition_acknowledged_at=now,
        submitted_at=now,
    )
    try:
        application.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError:
        # Another application for the same name arrived between our check and now.
        refuse(duplicate_refusal(name) or _("This application could not be stored."))
    _record(application, ApplicationEvent.Kind.SUBMITTED, actor=actor, now=now)
    notifications.application_email_later(application, "received")
    return application


@transaction.atomic
def application_request_info(
    *, actor, application: Application, question: str, now=None
) -> ApplicationEvent:
    """Ask the applicant for more; they answer through a link in the email."""
    require(permissions.can_review_applications(actor), NOT_SECRETARIAT)
    application = _locked(application)
    if not application.is_open:
        refuse(_("This application has been decided already."))
    question = _text(
        question,
        field="question",
        limit=MAX_MESSAGE,
        required=True,
        missing=_("Write what you would like the applicant to tell you."),
    )
    application.status = ApplicationStatus.INFO_REQUESTED
    application.save(update_fields=["status"])
    event = _record(
        application, ApplicationEvent.Kind.INFO_REQUESTED, actor=actor, message=question, now=now
    )
    notifications.application_email_later(application, "info_requested", question=event.pk)
    return event


@transaction.atomic
def application_answer(*, token: str, answer: str, now=None) -> Application:
    """The applicant's answer, through the link of the question's email. The
    application goes back to the queue; the answer joins its history."""
    try:
        claim = tokens.read_answer_token(token)
    except tokens.ExpiredLink:
        refuse(
            _("This link has expired. Write to the secretariat and they will send you a new one.")
        )
    except tokens.InvalidLink:
        refuse(_("This link is not valid. Check that you copied all of it from the email."))
    application = Application.objects.select_for_update().filter(pk=claim.application_id).first()
    latest = (
        application.history.filter(kind=ApplicationEvent.Kind.INFO_REQUESTED).last()
        if application
        else None
    )
    if (
        application is None
        or application.status != ApplicationStatus.INFO_REQUESTED
        or latest is None
        or latest.pk != claim.question_id
    ):
        refuse(
            _(
                "This question has been answered already, or replaced by a newer one: use "
                "the link in the latest email from the secretariat."
            )
        )
    answer = _text(
        answer,
        field="answer",
        limit=MAX_MESSAGE,
        required=True,
        missing=_("Write your answer."),
    )
    application.status = ApplicationStatus.PENDING
    application.save(update_fields=["status"])
    _record(application, ApplicationEvent.Kind.ANSWERED, message=answer, now=now)
    return application


def _require_free_of_ballot(application: Application) -> None:
    if application.ballot_id and application.ballot.status in DECIDING:
        refuse(
            _(
                "This application waits for the ballot “%(ballot)s”. Take it off the ballot "
                "first, or let the ballot decide."
            )
            % {"ballot": application.ballot.title}
        )


@transaction.atomic
def application_accept(
    *,
    actor,
    application: Application,
    chamber: Chamber | None = None,
    decision: Decision | None = None,
    now: datetime.datetime | None = None,
) -> Application:
    """Admit the organisation: create it (or take the known one), make it a member
    through governance, link its contact (a new account, or the applicant's own), keep
    its declaration and assess this year's contribution. By the secretariat, or by a
    working group's adopted `decision` on the ballot the application was put to."""
    now = now or timezone.now()
    if decision is None:
        require(permissions.can_review_applications(actor), NOT_SECRETARIAT)
    application = _locked(application)
    if not application.is_open:
        refuse(_("This application has been decided already."))
    if decision is None:
        _require_free_of_ballot(application)
    elif application.ballot_id != decision.ballot_id:
        refuse(_("This application was not put to that ballot."))
    organisation = (
        application.organisation
        or Organisation.objects.filter(name__iexact=application.organisation_name).first()
    )
    if organisation is None:
        organisation = Organisation(
            name=application.organisation_name,
            chain_link=application.chain_link,
            country=application.country,
            website=application.website,
            description=application.description,
            chamber=chamber,
            is_non_profit=application.chain_link
            in (ChainLink.CIVIL_SOCIETY, ChainLink.ACADEMIC, ChainLink.GOVERNMENT),
        )
    elif chamber is not None and organisation.chamber_id is None:
        Organisation.objects.filter(pk=organisation.pk).update(chamber=chamber)
    organisation = governance_services.organisation_admit(
        actor=actor, organisation=organisation, decision=decision
    )
    person, created = governance_services.organisation_contact_link(
        actor=actor,
        organisation=organisation,
        email=application.contact_email,
        display_name=application.contact_name,
        language=application.language,
        person=application.contact,
        decision=decision,
    )
    membership, _created = Membership.objects.update_or_create(
        organisation=organisation,
        defaults={
            "declared_tonnes": application.declared_tonnes,
            "declared_tier": application.declared_tier,
            "contact": person,
            "admitted_on": timezone.localdate(now),
        },
    )
    assess_member(organisation, membership, year=timezone.localdate(now).year)
    application.status = ApplicationStatus.ACCEPTED
    application.organisation, application.contact, application.decided_at = (
        organisation,
        person,
        now,
    )
    application.save(update_fields=["status", "organisation", "contact", "decided_at"])
    message = decision.title if decision else ""
    _record(application, ApplicationEvent.Kind.ACCEPTED, actor=actor, message=message, now=now)
    notifications.application_email_later(application, "accepted", new_account=created)
    return application


@transaction.atomic
def application_decline(*, actor, application: Application, reason: str, now=None) -> Application:
    """Decline, with the reason the applicant will read."""
    now = now or timezone.now()
    require(permissions.can_review_applications(actor), NOT_SECRETARIAT)
    application = _locked(application)
    if not application.is_open:
        refuse(_("This application has been decided already."))
    _require_free_of_ballot(application)
    reason = _text(
        reason,
        field="reason",
        limit=MAX_MESSAGE,
        required=True,
        missing=_("Give the reason: the applicant will read it."),
    )
    application.status = ApplicationStatus.DECLINED
    application.decline_reason, application.decided_at = reason, now
    application.save(update_fields=["status", "decline_reason", "decided_at"])
    _record(application, ApplicationEvent.Kind.DECLINED, actor=actor, message=reason, now=now)
    notifications.application_email_later(application, "declined")
    return application


__all__ = [
    "DECIDING",
    "MAX_TONNES",
    "application_accept",
    "application_answer",
    "application_decline",
    "application_request_info",
    "application_submit",
    "check_declaration",
    "duplicate_refusal",
    "parse_tonnes",
]
