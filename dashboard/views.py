from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import selectors


@never_cache
@login_required
def home(request):
    """What needs me now: seats, votes, comment periods, my comments, work to do."""
    board = selectors.dashboard_for(request.user)
    return render(request, "dashboard/home.html", {"board": board})
