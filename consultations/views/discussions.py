"""Discussion pages: a thread, posting to it, one's own messages, moderation, the
competition-law notice and the secretariat's sensitive terms.

Everything works without JavaScript: forms post, the view calls one service, and the
page comes back by Post/Redirect/Get (or with the refusal shown on the form).
static/js/discussion.js makes the same page live over /ws/threads/<id>/.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance import permissions
from governance.models import Ballot, WorkingGroup

from .. import discussion_events as events
from ..forms import add_service_error
from ..forms_discussions import MessageEditForm, MessageForm, ReviewForm, SensitiveTermForm
from ..models import Audience, Clause, Consultation, Message, SensitiveTerm, Thread
from ..services import discussions as services
from ._common import refusal_status, refused, with_retry_after

PAGE_SIZE = 100
TEMPLATES = "consultations/discussions/"


def _draft_key(thread: Thread) -> str:
    return f"discussion-draft-{thread.pk}"


def _thread_url(thread: Thread, sequence: int | None = None) -> str:
    url = reverse("discussions:thread", args=[thread.pk])
    return f"{url}#message-{sequence}" if sequence else url


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _readable_thread(request, pk: int):
    """The thread and the reader's access, or the response that refuses them: members'
    rooms do not exist for outsiders (404); anonymous readers are asked to log in."""
    try:
        thread = services.thread_get(pk)
    except Thread.DoesNotExist:
        raise Http404 from None
    access = services.thread_access(request.user, thread)
    if access.read:
        return thread, access, None
    if not request.user.is_authenticated:
        return thread, access, redirect_to_login(request.get_full_path())
    raise Http404


def owner_url(thread: Thread) -> str | None:
    """The page the thread belongs to, where one exists yet."""
    try:
        if thread.clause_id:
            return reverse(
                "consultations:clause_comments", args=[thread.consultation_id, thread.clause.key]
            )
        if thread.consultation_id:
            return reverse("consultations:detail", args=[thread.consultation_id])
        if thread.ballot_id:
            return reverse("ballots:detail", args=[thread.ballot_id])
    except NoReverseMatch:
        return None
    return None


def thread_context(request, thread: Thread, access, *, form: MessageForm | None = None) -> dict:
    """What the thread templates need. Other pages may use it to embed a full thread."""
    user = request.user
    # Read the stream position before the messages: whatever lands in between is
    # replayed to the live client, which applies each message state once.
    last_seq = Thread.objects.values_list("last_sequence", flat=True).get(pk=thread.pk)
    shown = list(
        thread.messages.visible().select_related("author").order_by("-sequence")[:PAGE_SIZE]
    )[::-1]
    for message in shown:
        message.can_change = services.may_change_own(user, message)
    own_held = []
    if user.is_authenticated:
        own_held = list(
            thread.messages.filter(author=user, sequence__isnull=True, deleted_at__isnull=True)
            .select_related("author")
            .order_by("created_at")
        )
        for message in own_held:
            message.can_change = services.may_change_own(user, message)
    acknowledged = services.has_acknowledged_notice(user)
    if form is None and access.post and acknowledged:
        draft = request.session.pop(_draft_key(thread), "")
        form = MessageForm(initial={"body": draft})
    return {
        "thread": thread,
        "access": access,
        "discussion_messages": shown,
        "own_held": own_held,
        "last_seq": last_seq,
        "form": form,
        "needs_notice": user.is_authenticated and access.post and not acknowledged,
        "post_refusal": "" if access.post else services.post_refusal(user, thread),
        "notice_next": _thread_url(thread),
        "notice_version": services.COMPETITION_NOTICE_VERSION,
        "owner_url": owner_url(thread),
        "pending_reviews": len(services.messages_awaiting_review(user)) if access.moderate else 0,
        "ws_path": f"/ws/threads/{thread.pk}/",
    }


def thread_detail(request, pk):
    thread, access, refusal = _readable_thread(request, pk)
    if refusal:
        return refusal
    return render(request, TEMPLATES + "thread.html", thread_context(request, thread, access))


def _post_refused(request, thread, access, form, error, *, wants_json: bool):
    status = refusal_status(error)
    if wants_json:
        code = "notice_required" if isinstance(error, services.NoticeRequired) else "refused"
        code = "too_many" if status == 429 else code
        text = str(error) if isinstance(error, PermissionDenied) else " ".join(error.messages)
        response = JsonResponse(
            {"ok": False, "code": code, "message": text}, status=status if status != 200 else 400
        )
        return with_retry_after(response, error)
    if isinstance(error, services.NoticeRequired) and form.is_valid():
        # Keep what they wrote: it comes back in the form once they have acknowledged.
        request.session[_draft_key(thread)] = form.cleaned_data["body"]
    add_service_error(form, error)
    context = thread_context(request, thread, access, form=form)
    response = render(request, TEMPLATES + "thread.html", context, status=status)
    return with_retry_after(response, error)


@require_POST
def thread_post(request, pk):
    thread, access, refusal = _readable_thread(request, pk)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if refusal:
        return refusal
    if not request.user.is_authenticated:
        return redirect_to_login(_thread_url(thread))
    form = MessageForm(request.POST)
    if not form.is_valid():
        if wants_json:
            errors = form.errors.get("body") or [_("Write your message.")]
            return JsonResponse(
                {"ok": False, "code": "invalid", "message": " ".join(errors)}, status=400
            )
        context = thread_context(request, thread, access, form=form)
        return render(request, TEMPLATES + "thread.html", context)
    try:
        message = services.message_post(
            actor=request.user,
            thread=thread,
            body=form.cleaned_data["body"],
            idempotency_key=form.cleaned_data["idempotency_key"],
            language=request.LANGUAGE_CODE,
        )
    except (ValidationError, PermissionDenied) as error:
        return _post_refused(request, thread, access, form, error, wants_json=wants_json)
    if wants_json:
        payload = events.message_payload(message) if message.sequence else None
        if payload:
            payload["mine"] = True
        return JsonResponse(
            {
                "ok": True,
                "sequence": message.sequence,
                "held": message.is_pending,
                "notice": services.held_notice(message) if message.is_pending else "",
                "message": payload,
            }
        )
    if message.is_pending:
        messages.warning(request, services.held_notice(message))
    else:
        messages.success(request, _("Your message was posted."))
    fallback = _thread_url(thread, message.sequence)
    return redirect(_safe_next(request, fallback))


def _message_in_readable_thread(request, pk):
    message = get_object_or_404(Message.objects.select_related("author"), pk=pk)
    thread, access, refusal = _readable_thread(request, message.thread_id)
    message.thread = thread
    return message, thread, access, refusal


def message_edit(request, pk):
    message, thread, access, refusal = _message_in_readable_thread(request, pk)
    if refusal:
        return refusal
    if message.author_id != request.user.pk:
        raise Http404
    status = 200
    if request.method == "POST":
        form = MessageEditForm(request.POST)
        if form.is_valid():
            try:
                services.message_edit(
                    actor=request.user, message=message, body=form.cleaned_data["body"]
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
                status = 403 if isinstance(error, PermissionDenied) else 200
            else:
                messages.success(request, _("Your message was changed."))
                return redirect(_thread_url(thread, message.sequence))
    else:
        form = MessageEditForm(initial={"body": message.body})
    return render(
        request,
        TEMPLATES + "message_edit.html",
        {
            "thread": thread,
            "message": message,
            "form": form,
            "can_change": services.may_change_own(request.user, message),
        },
        status=status,
    )


def _message_action(request, pk, action, done: str):
    """One POST that calls one service on one message, then back to the thread."""
    message, thread, access, refusal = _message_in_readable_thread(request, pk)
    if refusal:
        return refusal
    try:
        action(actor=request.user, message=message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You are not allowed to do this."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(_safe_next(request, _thread_url(thread, message.sequence)))


@require_POST
def message_delete(request, pk):
    return _message_action(request, pk, services.message_delete, _("Your message was deleted."))


@require_POST
def message_hide(request, pk):
    return _message_action(request, pk, services.message_hide, _("The message is hidden."))


@require_POST
def message_unhide(request, pk):
    return _message_action(request, pk, services.message_unhide, _("The message is shown again."))


def review_queue(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    held = services.messages_awaiting_review(request.user)
    if not held and not _moderates_anything(request.user):
        raise PermissionDenied(_("Only the secretariat and the chair review held messages."))
    return render(request, TEMPLATES + "review.html", {"held": held})


@require_POST
def review_decide(request, pk):
    message, thread, access, refusal = _message_in_readable_thread(request, pk)
    if refusal:
        return refusal
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject the message."))
        return redirect("discussions:review")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.message_review(actor=request.user, message=message, approve=approve)
    except PermissionDenied as error:
        messages.error(request, str(error))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The message is published.") if approve else _("The message stays unpublished."),
        )
    return redirect(_safe_next(request, reverse("discussions:review")))


@require_POST
def acknowledge_notice(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.POST.get("next") or "/")
    if request.POST.get("acknowledge") != "yes":
        messages.error(request, _("Tick the box to acknowledge the notice."))
    else:
        services.acknowledge_competition_notice(actor=request.user)
        messages.success(request, _("Thank you. You can now take part in discussions."))
    return redirect(_safe_next(request, "/"))


# --- Lazily made threads: the links other pages use ---------------------------


def consultation_thread(request, pk, key=None):
    consultation = get_object_or_404(
        Consultation.objects.select_related("version__standard__working_group"), pk=pk
    )
    clause = None
    if key is not None:
        clause = get_object_or_404(Clause, version_id=consultation.version_id, key=key)
    group = consultation.version.standard.working_group
    if not permissions.can_read_consultation(
        request.user, group, members_only=consultation.audience == Audience.MEMBERS
    ):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return redirect(_thread_url(services.thread_for_consultation(consultation, clause)))


def ballot_thread(request, pk):
    """The debate on a motion. A GET only finds it: while nobody has started it, the
    page offers to (a POST, for those who may post); nothing is made by reading."""
    ballot = get_object_or_404(Ballot.objects.select_related("working_group"), pk=pk)
    if not services.may_read_ballot_debate(request.user, ballot):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    if request.method == "POST":
        try:
            thread = services.ballot_thread_start(actor=request.user, ballot=ballot)
        except PermissionDenied as error:
            return refused(request, str(error))
        return redirect(_thread_url(thread))
    thread = Thread.objects.filter(ballot=ballot).first()
    if thread is not None:
        return redirect(_thread_url(thread))
    return render(
        request,
        TEMPLATES + "ballot_start.html",
        {
            "ballot": ballot,
            "may_start": permissions.can_post_discussion(request.user, ballot.working_group),
        },
    )


def group_thread(request, slug):
    group = get_object_or_404(WorkingGroup, slug=slug)
    return _group_gate(request, group, lambda: services.thread_for_group(group))


def _group_gate(request, group, make_thread):
    if not permissions.can_view_private(request.user, group):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    return redirect(_thread_url(make_thread()))


# --- Sensitive terms (the secretariat's list) ---------------------------------


def _moderated_groups(user) -> list[WorkingGroup]:
    if not user.is_authenticated:
        return []
    return [g for g in WorkingGroup.objects.order_by("name") if permissions.can_moderate(user, g)]


def _moderates_anything(user) -> bool:
    return permissions.is_platform_admin(user) or bool(_moderated_groups(user))


def sensitive_terms(request):
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    groups = _moderated_groups(user)
    everywhere = permissions.is_platform_admin(user)
    if not groups and not everywhere:
        raise PermissionDenied(_("Only the secretariat keeps the list of sensitive terms."))
    status = 200
    if request.method == "POST":
        form = SensitiveTermForm(request.POST, groups=groups, everywhere=everywhere)
        if form.is_valid():
            try:
                services.sensitive_term_add(
                    actor=user,
                    term=form.cleaned_data["term"],
                    working_group=form.cleaned_data["working_group"],
                )
            except (ValidationError, PermissionDenied) as error:
                add_service_error(form, error)
                status = 403 if isinstance(error, PermissionDenied) else 200
            else:
                messages.success(request, _("The term was added."))
                return redirect("discussions:terms")
    else:
        form = SensitiveTermForm(groups=groups, everywhere=everywhere)
    terms = SensitiveTerm.objects.select_related("working_group").filter(
        working_group__isnull=True
    ) | SensitiveTerm.objects.select_related("working_group").filter(working_group__in=groups)
    return render(
        request,
        TEMPLATES + "sensitive_terms.html",
        {
            "form": form,
            "terms": terms.order_by("working_group__name", "term"),
            "everywhere": everywhere,
        },
        status=status,
    )


@require_POST
def sensitive_term_delete(request, pk):
    term = get_object_or_404(SensitiveTerm.objects.select_related("working_group"), pk=pk)
    try:
        services.sensitive_term_remove(actor=request.user, term=term)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The term was removed."))
    return redirect("discussions:terms")
