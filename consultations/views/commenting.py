"""The consultation page, commenting on it, and one's own comments.

Works without JavaScript: every form posts, the view calls one service, and the
page comes back by Post/Redirect/Get, or with the refusal shown on the form.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from governance import permissions

from .. import selectors, services, translation_coverage
from ..forms import GENERAL, CommentEditForm, CommentForm, ConfirmForm, add_service_error
from ..models import Audience, Clause, PeriodState
from ._common import (
    group_of,
    login_needed,
    may_manage,
    refusal_status,
    require_read,
    with_retry_after,
)


def _detail_url(consultation, anchor: str = "") -> str:
    url = reverse("consultations:detail", args=[consultation.pk])
    return f"{url}#{anchor}" if anchor else url


def _comment_hint(user, consultation) -> str:
    """Why the reader sees no comment forms on an open period."""
    if consultation.audience == Audience.MEMBERS:
        return "members"
    if not user.is_authenticated:
        return "login"
    if not getattr(user, "email_verified", False):
        return "verify"
    return "refused"


def consultation_detail(request, pk):
    consultation = selectors.consultation_get(pk)
    require_read(request.user, consultation)
    if request.method != "POST":
        return _render_detail(request, consultation)
    if not request.user.is_authenticated:
        return login_needed(request)
    form = CommentForm(request.POST)
    status, refusal = 200, None
    if form.is_valid():
        data = form.cleaned_data
        try:
            comment = services.comment_post(
                actor=request.user,
                consultation=consultation,
                clause=data["clause"],
                comment_type=data["comment_type"],
                body=data["body"],
                proposed_change=data["proposed_change"],
                paragraph=data["paragraph"],
                idempotency_key=data["idempotency_key"],
                language=request.LANGUAGE_CODE,
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            status, refusal = refusal_status(error), error
        else:
            messages.success(request, _("Your comment was posted."))
            return redirect(_detail_url(consultation, f"comment-{comment.pk}"))
    response = _render_detail(request, consultation, bound=form, status=status)
    return with_retry_after(response, refusal)


def _render_detail(request, consultation, *, bound: CommentForm | None = None, status=200):
    user = request.user
    group = group_of(consultation)
    state = consultation.state()
    page = selectors.consultation_page(consultation, user)
    members_only = consultation.audience == Audience.MEMBERS
    may_comment = state == PeriodState.OPEN and permissions.can_comment(
        user, group, members_only=members_only
    )
    bound_slot = (bound.data.get("clause") or GENERAL) if bound is not None else None
    placed = False
    if may_comment:
        for clause in page.clauses:
            if bound_slot == str(clause.pk):
                clause.form, placed = bound, True
                bound.auto_id = f"comment-{clause.key}-%s"
            else:
                clause.form = CommentForm(clause=clause)
    general_form = CommentForm(clause=None)
    if bound_slot == GENERAL and may_comment:
        general_form, placed = bound, True
    context = {
        "consultation": consultation,
        "version": consultation.version,
        "standard": consultation.version.standard,
        "group": group,
        "state": state,
        "state_label": PeriodState(state).label,
        "page": page,
        "may_comment": may_comment,
        "comment_hint": "" if may_comment else _comment_hint(user, consultation),
        "general_form": general_form,
        # A refused form whose clause is not on this page: its errors still show.
        "stray_form": bound if bound is not None and not placed else None,
        "bound_form": bound,
        "is_open": state == PeriodState.OPEN,
        "may_manage": may_manage(user, consultation),
        "reference_zone": group.reference_time_zone,
        "coverage": translation_coverage.coverage(page.clauses),
    }
    return render(request, "consultations/detail.html", context, status=status)


def clause_comments(request, pk, key):
    """The comments on one clause ("general": on none) in this period."""
    consultation = selectors.consultation_get(pk)
    require_read(request.user, consultation)
    clause = None
    if key != GENERAL:
        clause = get_object_or_404(Clause, version_id=consultation.version_id, key=key)
    comments = selectors.public_comments(consultation, clause)
    if consultation.report_published_at:
        comments = comments.select_related("disposition__resulting_clause__version")
    return render(
        request,
        "consultations/clause_comments.html",
        {
            "consultation": consultation,
            "version": consultation.version,
            "standard": consultation.version.standard,
            "clause": clause,
            "comments": comments,
            "show_dispositions": bool(consultation.report_published_at),
        },
    )


def _own_comment(request, pk, comment_pk):
    comment = selectors.comment_get(comment_pk, consultation_pk=pk)
    require_read(request.user, comment.consultation)
    return comment


def comment_edit(request, pk, comment_pk):
    comment = _own_comment(request, pk, comment_pk)
    if not request.user.is_authenticated:
        return login_needed(request)
    consultation = comment.consultation
    status = 200
    if request.method == "POST":
        form = CommentEditForm(request.POST, version=consultation.version)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.comment_edit(
                    actor=request.user,
                    comment=comment,
                    clause=data["clause"],
                    comment_type=data["comment_type"],
                    body=data["body"],
                    proposed_change=data["proposed_change"],
                    paragraph=data["paragraph"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
                status = refusal_status(error)
            else:
                messages.success(request, _("Your comment was updated; the earlier text is kept."))
                return redirect(_detail_url(consultation, f"comment-{comment.pk}"))
    else:
        if comment.author_id != request.user.pk:
            raise Http404
        form = CommentEditForm(
            version=consultation.version,
            initial={
                "clause": comment.clause_id,
                "comment_type": comment.comment_type,
                "body": comment.body,
                "proposed_change": comment.proposed_change,
                "paragraph": comment.paragraph,
            },
        )
    return render(
        request,
        "consultations/comment_edit.html",
        {"comment": comment, "consultation": consultation, "form": form},
        status=status,
    )


def comment_withdraw(request, pk, comment_pk):
    comment = _own_comment(request, pk, comment_pk)
    if not request.user.is_authenticated:
        return login_needed(request)
    consultation = comment.consultation
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        try:
            services.comment_withdraw(actor=request.user, comment=comment)
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
            status = refusal_status(error)
        else:
            messages.success(request, _("Your comment was withdrawn."))
            return redirect(_detail_url(consultation, "your-comments"))
    elif comment.author_id != request.user.pk:
        raise Http404
    return render(
        request,
        "consultations/comment_withdraw.html",
        {"comment": comment, "consultation": consultation, "form": form},
        status=status,
    )
