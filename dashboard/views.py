from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from consultations.models import FollowEmail
from consultations.services import following as follow_services

from . import selectors, services

NOTIFICATIONS_PER_PAGE = 25


@never_cache
@login_required
def home(request):
    """What needs me now: seats, votes, comment periods, my comments, work to do."""
    board = selectors.dashboard_for(request.user)
    return render(request, "dashboard/home.html", {"board": board})


@never_cache
@login_required
def notifications(request):
    """My notifications, newest first, a page at a time (two queries whatever their number)."""
    page = Paginator(selectors.notifications_for(request.user), NOTIFICATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "dashboard/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    """Mark one notification read (`id`) or all of them (`all`)."""
    if request.POST.get("all"):
        services.notifications_mark_read(actor=request.user)
        messages.success(request, _("All your notifications are marked read."))
    else:
        try:
            ids = [int(request.POST.get("id", ""))]
        except ValueError:
            ids = []
        services.notifications_mark_read(actor=request.user, ids=ids)
    return redirect(_back(request, "dashboard:notifications"))


@never_cache
@login_required
def following(request):
    """What I follow and how I hear of it; each row can be changed or dropped."""
    return render(
        request,
        "dashboard/following.html",
        {"subscriptions": selectors.subscriptions_of(request.user), "choices": FollowEmail.choices},
    )


@require_POST
@login_required
def follow(request):
    """Follow a working group, a standard or a thread (or change how): `target` is
    "group:<id>", "standard:<id>" or "thread:<id>"."""
    target = _target(request.POST.get("target", ""))
    try:
        follow_services.follow_save(
            actor=request.user,
            target=target,
            on_site=bool(request.POST.get("on_site")),
            email=request.POST.get("email", FollowEmail.OFF),
        )
    except PermissionDenied:
        raise Http404 from None  # what one may not see is not there
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You follow %(target)s.") % {"target": target})
    return redirect(_back(request, "dashboard:following"))


@require_POST
@login_required
def unfollow(request):
    subscription = selectors.subscription_of(request.user, request.POST.get("target", ""))
    if subscription is not None:
        follow_services.follow_remove(actor=request.user, subscription=subscription)
        messages.success(
            request, _("You no longer follow %(target)s.") % {"target": subscription.target}
        )
    return redirect(_back(request, "dashboard:following"))


def _target(value: str):
    target = selectors.followable(value)
    if target is None:
        raise Http404
    return target


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    from django.urls import reverse

    return reverse(default)
