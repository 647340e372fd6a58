"""What every consultation view shares: who may see a period, and how refusals show."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from governance import permissions
from governance.ratelimit import RateLimited

from ..models import Audience, Consultation


def group_of(consultation: Consultation):
    return consultation.version.standard.working_group


def may_read(user, consultation: Consultation) -> bool:
    return permissions.can_read_consultation(
        user, group_of(consultation), members_only=consultation.audience == Audience.MEMBERS
    )


def require_read(user, consultation: Consultation) -> None:
    """Members-only periods do not exist for people who may not read them."""
    if not may_read(user, consultation):
        raise Http404


def may_manage(user, consultation: Consultation) -> bool:
    return permissions.can_manage_consultations(user, group_of(consultation))


def require_manage(request, consultation: Consultation, message):
    """None if the person runs this period's group; else the response that says no.
    A members-only period stays hidden (404) from people who may not read it."""
    if not request.user.is_authenticated:
        return login_needed(request)
    if may_manage(request.user, consultation):
        return None
    require_read(request.user, consultation)
    return refused(request, message)


def refusal_status(error) -> int:
    """403 when the person may not do this at all; 429 when they must wait (a rate
    limit); 200 when the input needs fixing."""
    if isinstance(error, RateLimited):
        return 429
    return 403 if isinstance(error, PermissionDenied) else 200


def with_retry_after(response, error):
    """A rate-limited refusal says when to try again (Retry-After, in seconds)."""
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def login_needed(request):
    return redirect_to_login(request.get_full_path())


def refused(request, message, status: int = 403):
    """A refusal shown on its own page, when the form it came from is not the person's to see."""
    return render(request, "consultations/refused.html", {"message": message}, status=status)


def with_query(url: str, request) -> str:
    """`url` with the request's query string (the table's filters and page) kept."""
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url
