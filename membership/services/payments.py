"""Money in and out: payments the secretariat records, invoices it sends, and what
went to the programme at the mine."""

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance import audit, permissions
from governance.services import refuse, require, save_audited

from .. import notifications
from ..models import Contribution, ContributionSchedule, Invoice, Payment, ProgrammeFunding
from .contributions import paid_total

NOT_SECRETARIAT = _("Only the secretariat records payments and sends invoices.")


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        refuse(_("Give the amount as a number."), field)
    if not amount.is_finite() or amount <= 0:
        refuse(_("The amount must be more than zero."), field)
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def payment_record(
    *,
    actor,
    contribution: Contribution,
    amount,
    received_on: datetime.date,
    reference: str = "",
) -> Payment:
    """Record money received. More than what remains due is refused (a typing error
    or a payment for another year)."""
    require(permissions.can_manage_contributions(actor), NOT_SECRETARIAT)
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    amount = _money(amount, "amount")
    if received_on is None or received_on > timezone.localdate():
        refuse(_("A payment cannot be received in the future."), "received_on")
    remaining = contribution.amount - paid_total(contribution)
    if amount > remaining:
        refuse(
            _("Only %(remaining)s %(currency)s remains due for this year.")
            % {"remaining": remaining, "currency": contribution.currency},
            "amount",
        )
    payment = Payment.objects.create(
        contribution=contribution,
        amount=amount,
        received_on=received_on,
        reference=(reference or "").strip()[:100],
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="payment.recorded",
        obj=contribution,
        payload={"amount": amount, "received_on": received_on, "payment": payment.pk},
    )
    return payment


@transaction.atomic
def invoice_issue(*, actor, contribution: Contribution, today=None) -> Invoice:
    """Issue an invoice for what remains due and email it, as a PDF, to the member's
    contact in their language. Numbers run per year without gaps: the year's
    schedule row is locked while one is given out."""
    require(permissions.can_manage_contributions(actor), NOT_SECRETARIAT)
    today = today or timezone.localdate()
    contribution = (
        Contribution.objects.select_for_update(of=("self",))
        .select_related("organisation__membership__contact")
        .get(pk=contribution.pk)
    )
    due = contribution.amount - paid_total(contribution)
    if due <= 0:
        refuse(_("Nothing remains due for this year: there is nothing to invoice."))
    membership = getattr(contribution.organisation, "membership", None)
    contact = membership.contact if membership else None
    if contact is None or not contact.email:
        refuse(_("This member has no contact person with an email address to send it to."))
    ContributionSchedule.objects.select_for_update().get(pk=contribution.schedule_id)
    sequence = Invoice.objects.filter(contribution__year=contribution.year).count() + 1
    invoice = Invoice.objects.create(
        contribution=contribution,
        number=f"CT-{contribution.year}-{sequence:04d}",
        amount_due=due,
        currency=contribution.currency,
        issued_on=today,
        issued_by=actor,
    )
    audit.record(
        actor=actor,
        action="invoice.issued",
        obj=contribution,
        payload={"invoice": invoice.number, "amount_due": due},
    )
    language = contact.preferred_language or translation.get_language()
    notifications.invoice_email_later(invoice, [contact.email], language)
    return invoice


@transaction.atomic
def programme_funding_save(*, actor, funding: ProgrammeFunding) -> ProgrammeFunding:
    """What a year's pooled contributions paid the programme at the mine (public)."""
    require(
        permissions.can_manage_contributions(actor),
        _("Only the secretariat enters what went to the programme."),
    )
    return save_audited(actor=actor, instance=funding, kind="programme_funding")
