"""Public pages of a standard: its versions and comment periods, and the redline."""

from django.shortcuts import render

from governance import permissions

from .. import redline, selectors
from ..forms import RedlineForm
from ..models import Audience, VersionStatus


def _visible_versions(user, standard):
    """Versions still being drafted are the group's own work until put out for comment."""
    private = permissions.can_view_private(user, standard.working_group)
    versions = selectors.standard_versions(standard)
    if not private:
        versions = [v for v in versions if v.status != VersionStatus.DRAFTING]
    for version in versions:
        version.visible_consultations = [
            c for c in version.consultations.all() if private or c.audience == Audience.PUBLIC
        ]
    return versions


def standard_detail(request, slug):
    standard = selectors.standard_get(slug)
    versions = _visible_versions(request.user, standard)
    return render(
        request,
        "consultations/standard.html",
        {"standard": standard, "versions": versions},
    )


def standard_redline(request, slug):
    standard = selectors.standard_get(slug)
    versions = {v.label: v for v in _visible_versions(request.user, standard)}
    labels = list(versions)
    data = request.GET if {"from", "to"} & set(request.GET) else None
    initial = {"from": labels[-2], "to": labels[-1]} if len(labels) >= 2 else {}
    form = RedlineForm(data, labels=labels, initial=initial)
    old = new = None
    if form.is_bound and form.is_valid():
        old, new = versions[form.cleaned_data["from"]], versions[form.cleaned_data["to"]]
    elif not form.is_bound and len(labels) >= 2:
        old, new = versions[labels[-2]], versions[labels[-1]]
    changes, counts = [], {}
    if old is not None:
        changes = redline.compare(selectors.clause_texts(old), selectors.clause_texts(new))
        counts = redline.summary(changes)
    rows = [
        {
            "change": change,
            "key": (change.new or change.old).key,
            "heading": redline.redline_html(change.heading_diff),
            "body": redline.redline_html(change.body_diff),
        }
        for change in changes
    ]
    return render(
        request,
        "consultations/redline.html",
        {
            "standard": standard,
            "form": form,
            "old": old,
            "new": new,
            "rows": rows,
            "counts": counts,
        },
    )
