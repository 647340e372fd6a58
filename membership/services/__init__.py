"""Every change to applications, memberships and contributions goes through these
functions. Each checks permission (governance.permissions), validates, runs in one
transaction and appends to the audit log; organisations become members only through
governance.services.organisation_admit."""

from .admissions import application_attach, application_detach
from .applications import (
    MAX_TONNES,
    application_accept,
    application_answer,
    application_decline,
    application_request_info,
    application_submit,
    check_declaration,
    duplicate_refusal,
    parse_tonnes,
)
from .contributions import (
    assess_member,
    contributions_assess,
    may_manage_membership,
    membership_declare,
    membership_publish,
    paid_total,
    schedule_bands,
    schedule_for,
    schedule_save,
)
from .payments import invoice_issue, payment_record, programme_funding_save

__all__ = [
    "MAX_TONNES",
    "application_accept",
    "application_answer",
    "application_attach",
    "application_decline",
    "application_detach",
    "application_request_info",
    "application_submit",
    "assess_member",
    "check_declaration",
    "contributions_assess",
    "duplicate_refusal",
    "invoice_issue",
    "may_manage_membership",
    "membership_declare",
    "membership_publish",
    "paid_total",
    "parse_tonnes",
    "payment_record",
    "programme_funding_save",
    "schedule_bands",
    "schedule_for",
    "schedule_save",
]
