"""Admission by a working group's decision: the secretariat puts applications to a
ballot ("Admit these three cooperatives"); certifying it admits them.

governance sends `decision_recorded` inside the certifying transaction and knows
nothing of applications; this module listens. An adopted decision accepts every
application still waiting for that ballot; any other outcome puts them back in the
secretariat's queue, with the reason in their history.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from governance import permissions, register
from governance.models import Ballot, Decision
from governance.services import refuse, require

from ..models import Application, ApplicationEvent
from .applications import DECIDING, NOT_SECRETARIAT, _locked, _record, application_accept


@transaction.atomic
def application_attach(*, actor, application: Application, ballot: Ballot) -> Application:
    """Let `ballot` decide this admission. The ballot must still be a draft or open,
    and the secretariat must run ballots in its working group."""
    require(permissions.can_review_applications(actor), NOT_SECRETARIAT)
    ballot = Ballot.objects.select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_run_ballots(actor, ballot.working_group),
        _("You do not run ballots in this working group."),
    )
    if ballot.status not in (DECIDING[0], DECIDING[1]):
        refuse(_("Only a draft or open ballot can decide an admission."), "ballot")
    application = _locked(application)
    if not application.is_open:
        refuse(_("This application has been decided already."))
    if application.ballot_id == ballot.pk:
        return application
    application.ballot = ballot
    application.save(update_fields=["ballot"])
    _record(application, ApplicationEvent.Kind.ATTACHED, actor=actor, message=ballot.title)
    return application


@transaction.atomic
def application_detach(*, actor, application: Application, reason: str = "") -> Application:
    """Take an application off its ballot: it returns to the secretariat's queue."""
    if actor is not None:
        require(permissions.can_review_applications(actor), NOT_SECRETARIAT)
    application = _locked(application)
    if application.ballot_id is None:
        refuse(_("This application is not on a ballot."))
    if not application.is_open:
        refuse(_("This application has been decided already."))
    title = application.ballot.title
    application.ballot = None
    application.save(update_fields=["ballot"])
    _record(
        application,
        ApplicationEvent.Kind.DETACHED,
        actor=actor,
        message=reason or title,
    )
    return application


def on_decision_recorded(sender, decision: Decision, **kwargs) -> None:
    """Inside the certifying transaction. One application that cannot be admitted (its
    organisation became a member meanwhile) must not undo the certification: each is
    accepted in its own savepoint, and a refusal puts it back in the queue."""
    if decision.ballot_id is None:
        return
    waiting = list(Application.objects.open().filter(ballot_id=decision.ballot_id).order_by("pk"))
    for application in waiting:
        if decision.outcome != "adopted":
            application_detach(
                actor=None,
                application=application,
                reason=_("The ballot “%(ballot)s” did not admit it (%(outcome)s).")
                % {
                    "ballot": decision.title,
                    "outcome": register.OUTCOME_LABELS.get(decision.outcome, decision.outcome),
                },
            )
            continue
        try:
            with transaction.atomic():
                application_accept(
                    actor=decision.certified_by, application=application, decision=decision
                )
        except (ValidationError, PermissionDenied) as refusal:
            reason = " ".join(getattr(refusal, "messages", [str(refusal)]))
            application_detach(actor=None, application=application, reason=reason)
