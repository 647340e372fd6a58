"""An organisation becomes a member: the one road by which membership status changes
to "member" outside the platform admins' registry edits.

The secretariat admits; so does a working group, by an adopted decision (a certified
ballot), in which case the decision's certifier is the actor. The `membership` app
calls these when it accepts an application; governance knows nothing of applications.
"""

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from .. import audit, permissions
from ..models import Decision, MembershipStatus, Organisation, User
from ._base import refuse, require, save_audited
from .registry import _fill_slug


def _require_authority(actor, decision: Decision | None) -> None:
    if decision is None:
        require(
            permissions.can_admit_members(actor),
            _("Only the secretariat admits member organisations."),
        )
        return
    require(
        decision.outcome == "adopted",
        _("Only an adopted decision admits member organisations."),
    )


@transaction.atomic
def organisation_admit(
    *, actor, organisation: Organisation, decision: Decision | None = None
) -> Organisation:
    """Make `organisation` a member, creating it first when it is new (unsaved).

    Writes "organisation.admitted", public: the register of admissions shows it (and,
    when a decision admitted it, that working group's register too). An organisation
    that is already a member is refused, so two admissions never race to one row.
    """
    _require_authority(actor, decision)
    if organisation._state.adding:
        _fill_slug(organisation, organisation.name)
        organisation.membership_status = MembershipStatus.APPLICANT
        save_audited(actor=actor, instance=organisation, kind="organisation")
    stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if stored.membership_status == MembershipStatus.MEMBER:
        refuse(_("%(name)s is already a member.") % {"name": stored.name})
    previous = stored.membership_status
    stored.membership_status = MembershipStatus.MEMBER
    stored.save(update_fields=["membership_status"])
    audit.record(
        actor=actor,
        action="organisation.admitted",
        obj=stored,
        working_group=decision.working_group if decision else None,
        public=True,
        payload={
            "chain_link": stored.chain_link,
            "previous_status": previous,
            "decision": decision.pk if decision else None,
        },
    )
    organisation.membership_status = stored.membership_status
    return stored


def _free_username(email: str) -> str:
    base = re.sub(r"[^\w.@+-]", "", email.split("@")[0])[:100] or "member"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}-{get_random_string(4).lower()}"
    return candidate


@transaction.atomic
def organisation_contact_link(
    *,
    actor,
    organisation: Organisation,
    email: str,
    display_name: str,
    language: str,
    person: User | None = None,
    decision: Decision | None = None,
) -> tuple[User, bool]:
    """Make a person the contact of a member organisation: `person` when given (an
    account the applicant used), otherwise a new account for `email`, with no usable
    password until its owner chooses one through a link sent to that address.
    Returns (person, created). An address that belongs to another account is refused:
    nobody is attached to an organisation by someone else typing their address."""
    _require_authority(actor, decision)
    email = User.objects.normalize_email((email or "").strip())
    created = False
    if person is None:
        if User.objects.filter(email__iexact=email).exists():
            refuse(
                _(
                    "The address %(email)s now belongs to an existing account. Ask its owner "
                    "to apply while logged in, or give the contact another address."
                )
                % {"email": email}
            )
        person = User(
            username=_free_username(email),
            email=email,
            display_name=display_name.strip()[:150],
            preferred_language=language,
            # Proven when its owner follows the "choose your password" link mailed to it;
            # until then the account cannot be used at all.
            email_verified=True,
        )
        person.set_unusable_password()
        try:
            person.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            refuse(" ".join(exc.messages))
        try:
            with transaction.atomic():
                person.save(force_insert=True)
        except IntegrityError:
            refuse(_("The contact's address was taken while the application was accepted."))
        created = True
    else:
        person = User.objects.select_for_update().get(pk=person.pk)
    if person.organisation_id != organisation.pk:
        person.organisation = organisation
        person.save(update_fields=["organisation"])
    audit.record(
        actor=actor,
        action="organisation.contact_linked",
        obj=organisation,
        payload={"person": person.pk, "account_created": created},
    )
    return person, created
