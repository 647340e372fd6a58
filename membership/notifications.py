"""Emails to applicants and member organisations, in the applicant's language, sent by
background tasks after the change commits. A mail server that fails loses no
application: the change is stored, and the email can be sent again."""

from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from governance.emails import render_plain_text, render_subject
from governance.models import User

from . import tokens
from .models import Application, ApplicationEvent, Invoice

KINDS = ("received", "info_requested", "accepted", "declined")


def _base_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def application_email_later(application: Application, kind: str, **refs) -> None:
    assert kind in KINDS
    transaction.on_commit(
        partial(send_application_email.enqueue, application.pk, kind, refs), robust=True
    )


def _password_link(person: User) -> str:
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
            "token": default_token_generator.make_token(person),
        },
    )
    return _base_url() + path


@task()
def send_application_email(application_id: int, kind: str, refs: dict) -> int:
    """Render and send one email about an application to its contact address."""
    application = (
        Application.objects.select_related("organisation", "contact")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return 0
    language = application.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {"application": application, "base_url": _base_url()}
        if kind == "info_requested":
            question = ApplicationEvent.objects.get(pk=refs["question"])
            context["question"] = question
            context["answer_url"] = tokens.answer_url(application.pk, question.pk, language)
            context["days"] = tokens.ANSWER_LINK_MAX_AGE.days
        if kind == "accepted":
            if application.organisation is not None:
                context["profile_url"] = _base_url() + reverse(
                    "membership:profile", args=[application.organisation.slug]
                )
            if refs.get("new_account") and application.contact is not None:
                context["username"] = application.contact.username
                context["password_url"] = _password_link(application.contact)
        subject = render_subject(f"membership/email/{kind}_subject.txt", context)
        body = render_plain_text(f"membership/email/{kind}.txt", context)
    return send_mail(subject, body, None, [application.contact_email])


def invoice_email_later(invoice: Invoice, recipients: list[str], language: str) -> None:
    transaction.on_commit(
        partial(send_invoice_email.enqueue, invoice.pk, recipients, language), robust=True
    )


@task()
def send_invoice_email(invoice_id: int, recipients: list[str], language: str) -> int:
    """The invoice as a PDF attachment, to the member organisation's contact."""
    from .invoices import invoice_pdf

    invoice = (
        Invoice.objects.select_related("contribution__organisation").filter(pk=invoice_id).first()
    )
    if invoice is None or not recipients:
        return 0
    with translation.override(language):
        context = {"invoice": invoice, "organisation": invoice.contribution.organisation}
        subject = render_subject("membership/email/invoice_subject.txt", context)
        body = render_plain_text("membership/email/invoice.txt", context)
        pdf = invoice_pdf(invoice)
    message = EmailMessage(subject, body, None, recipients)
    message.attach(f"{invoice.number}.pdf", pdf, "application/pdf")
    return message.send()
