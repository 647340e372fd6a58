"""The secretariat's resolution table, its actions, and the published synopsis.

The table is one GET page. Each of its forms posts to its own view, which calls
one service: on success it redirects back to the table with the same filters
and page; on a refusal it shows the table again with that form and its error.
A refusal for want of permission shows only the message, never the table.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..forms import (
    BulkDispositionForm,
    DispositionForm,
    ExtendForm,
    PublishForm,
    ResolutionFilterForm,
    add_service_error,
)
from ..models import Comment, PeriodState
from ._common import refused, require_manage, require_read, with_query

PER_PAGE = 50


def _table_url(consultation, request, anchor: str = "") -> str:
    url = with_query(reverse("consultations:resolution", args=[consultation.pk]), request)
    return f"{url}#{anchor}" if anchor else url


def _managed(request, pk):
    """The period, and a refusal if the person does not run its group's periods."""
    consultation = selectors.consultation_get(pk)
    message = _("You do not resolve comments for this working group.")
    return consultation, require_manage(request, consultation, message)


def _disposition_form(comment, resulting, data=None) -> DispositionForm:
    disposition = getattr(comment, "disposition", None)
    initial = {}
    if disposition is not None:
        initial = {
            "decision": disposition.decision,
            "response": disposition.response,
            "resulting_clause": disposition.resulting_clause_id,
        }
    return DispositionForm(
        data,
        initial=initial,
        resulting_clauses=resulting,
        auto_id=f"dispose-{comment.pk}-%s",
    )


def _render_table(request, consultation, **bound):
    """The table; `bound` holds a form that was refused (dispose=(pk, form), bulk,
    publish, extend) so it shows with its errors."""
    clauses = list(selectors.version_clauses(consultation.version))
    chambers = list(selectors.resolution_chambers(consultation))
    filter_form = ResolutionFilterForm(request.GET or None, clauses=clauses, chambers=chambers)
    comments = selectors.resolution_comments(consultation, **filter_form.filters())
    page = Paginator(comments, PER_PAGE).get_page(request.GET.get("page"))
    resulting = selectors.resulting_clause_choices(consultation)
    refused_pk, refused_form = bound.get("dispose", (None, None))
    rows = [
        (
            comment,
            refused_form if comment.pk == refused_pk else _disposition_form(comment, resulting),
        )
        for comment in page
    ]
    bulk = bound.get("bulk")
    selected = set(bulk.cleaned_data.get("comments", [])) if bulk is not None else set()
    extend = bound.get("extend") or ExtendForm(time_zone_name=timezone.get_current_timezone_name())
    state = consultation.state()
    context = {
        "consultation": consultation,
        "version": consultation.version,
        "standard": consultation.version.standard,
        "state": state,
        "state_label": PeriodState(state).label,
        "progress": selectors.resolution_progress(consultation),
        "filter_form": filter_form,
        "page_obj": page,
        "rows": rows,
        # A refused row form that is not shown in the table (another page, or a
        # published report, whose rows have no forms) still shows its errors.
        "stray_dispose": refused_form
        if refused_pk
        and (consultation.report_published_at or refused_pk not in {c.pk for c in page})
        else None,
        "bulk_form": bulk or BulkDispositionForm(),
        "selected": selected,
        "publish_form": bound.get("publish") or PublishForm(),
        "extend_form": extend,
        "may_publish": state == PeriodState.CLOSED,
        "may_extend": state != PeriodState.REPORT_PUBLISHED,
        "reference_zone": consultation.version.standard.working_group.reference_time_zone,
        "has_errors": any(
            form is not None and form.errors
            for form in (refused_form, bulk, bound.get("publish"), bound.get("extend"))
        ),
    }
    return render(request, "consultations/resolution.html", context)


def resolution(request, pk):
    consultation, refusal = _managed(request, pk)
    return refusal or _render_table(request, consultation)


def _failed(request, consultation, error, **bound):
    if isinstance(error, PermissionDenied):
        return refused(request, str(error))
    return _render_table(request, consultation, **bound)


@require_POST
def dispose(request, pk, comment_pk):
    consultation, refusal = _managed(request, pk)
    comment = get_object_or_404(
        Comment.objects.select_related("disposition"), pk=comment_pk, consultation=consultation
    )
    if refusal:
        return refusal
    resulting = selectors.resulting_clause_choices(consultation)
    form = _disposition_form(comment, resulting, data=request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.comment_dispose(
                actor=request.user,
                comment=comment,
                decision=data["decision"],
                response=data["response"],
                resulting_clause=data["resulting_clause"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            return _failed(request, consultation, error, dispose=(comment.pk, form))
        messages.success(request, _("Comment %(id)s: disposition saved.") % {"id": comment.pk})
        return redirect(_table_url(consultation, request, f"row-{comment.pk}"))
    return _render_table(request, consultation, dispose=(comment.pk, form))


@require_POST
def dispose_bulk(request, pk):
    consultation, refusal = _managed(request, pk)
    if refusal:
        return refusal
    form = BulkDispositionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = services.comments_dispose_bulk(
                actor=request.user,
                consultation=consultation,
                comment_ids=data["comments"],
                decision=data["decision"],
                response=data["response"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            return _failed(request, consultation, error, bulk=form)
        messages.success(request, _("Disposition saved for %(n)s comment(s).") % {"n": len(done)})
        return redirect(_table_url(consultation, request))
    return _render_table(request, consultation, bulk=form)


@require_POST
def report_publish(request, pk):
    consultation, refusal = _managed(request, pk)
    if refusal:
        return refusal
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.report_publish(
                actor=request.user, consultation=consultation, summary=form.cleaned_data["summary"]
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            return _failed(request, consultation, error, publish=form)
        messages.success(request, _("The report is published."))
        return redirect("consultations:report", pk=consultation.pk)
    return _render_table(request, consultation, publish=form)


@require_POST
def extend(request, pk):
    consultation, refusal = _managed(request, pk)
    if refusal:
        return refusal
    form = ExtendForm(request.POST, time_zone_name=timezone.get_current_timezone_name())
    if form.is_valid():
        try:
            updated = services.consultation_extend(
                actor=request.user,
                consultation=consultation,
                closes_at=form.cleaned_data["closes_at"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            return _failed(request, consultation, error, extend=form)
        closes = formats.date_format(timezone.localtime(updated.closes_at), "DATETIME_FORMAT")
        messages.success(request, _("The period now closes on %(when)s.") % {"when": closes})
        return redirect(_table_url(consultation, request))
    return _render_table(request, consultation, extend=form)


def report(request, pk):
    """The synopsis: public once the report is published, never before."""
    consultation = selectors.consultation_get(pk)
    require_read(request.user, consultation)
    if not consultation.report_published_at:
        raise Http404
    return render(
        request,
        "consultations/report.html",
        {
            "consultation": consultation,
            "version": consultation.version,
            "standard": consultation.version.standard,
            "synopsis": selectors.synopsis(consultation),
        },
    )
