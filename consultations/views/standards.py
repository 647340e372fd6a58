"""Public pages of a standard: the version in force, its history, the redline, each
clause's history, the downloads of adopted versions, and the balance of interests
of a comment period."""

import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode

from .. import redline, selectors, standard_downloads, visibility
from ..forms import RedlineForm
from ..models import Audience, VersionStatus
from ._common import require_read


def _visible_versions(user, standard):
    """The versions `user` may read (consultations.visibility), with the periods shown."""
    private = visibility.reads_privately(user, standard)
    versions = selectors.standard_versions(standard, user, private=private)
    for version in versions:
        version.visible_consultations = [
            c for c in version.consultations.all() if private or c.audience == Audience.PUBLIC
        ]
        version.downloadable = version.status in selectors.DOWNLOADABLE
    return versions


def _redline_form(labels: list[str]) -> RedlineForm | None:
    """The chooser of two versions, set to the last two, or None with fewer than two."""
    if len(labels) < 2:
        return None
    return RedlineForm(labels=labels, initial={"from": labels[-2], "to": labels[-1]})


def standard_detail(request, slug):
    """The version in force with its clauses (each linking to its history), every
    version the reader may see with its periods, downloads and the redline chooser.
    Four queries for the page itself, whatever the number of versions and clauses."""
    standard = selectors.standard_get(slug)
    versions = _visible_versions(request.user, standard)
    current = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    clauses = list(selectors.version_clauses(current)) if current else []
    # None in force: the latest version that gave way to a newer one is still downloadable.
    superseded = (
        None
        if current
        else next((v for v in reversed(versions) if v.status == VersionStatus.SUPERSEDED), None)
    )
    return render(
        request,
        "consultations/standard.html",
        {
            "standard": standard,
            "versions": versions,
            "current": current,
            "superseded": superseded,
            "clauses": clauses,
            "redline_form": _redline_form([v.label for v in versions]),
        },
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


def clause_history(request, slug, key):
    """One clause through the versions the reader may see: its text in each (with
    what changed since the version before), and per public round the comments made
    on it, with the group's answers once that round's report is published."""
    standard = selectors.standard_get(slug)
    versions = _visible_versions(request.user, standard)
    history = selectors.clause_history(key, versions)
    if not history:
        raise Http404
    labels = {version.label for version in versions}
    redline_url = reverse("consultations:redline", args=[standard.slug])
    previous = None
    for entry in history:
        entry.previous = previous
        if previous is not None:
            old, new = previous.clause, entry.clause
            entry.changed = (old.heading, old.body) != (new.heading, new.body)
            entry.heading_diff = redline.redline_html(redline.word_diff(old.heading, new.heading))
            entry.body_diff = redline.redline_html(redline.word_diff(old.body, new.body))
        for round_ in entry.rounds:
            for comment in round_.comments:
                target = comment.public_disposition and comment.public_disposition.resulting_clause
                comment.resulting_url = ""
                # Only towards a version this reader may see.
                if target and target.version.label in labels:
                    query = urlencode({"from": entry.version.label, "to": target.version.label})
                    comment.resulting_url = f"{redline_url}?{query}#clause-{target.key}"
        previous = entry
    return render(
        request,
        "consultations/clause_history.html",
        {"standard": standard, "history": history, "latest": history[-1].clause, "key": key},
    )


FORMATS = {
    "md": ("text/markdown; charset=utf-8", standard_downloads.render_markdown),
    "pdf": ("application/pdf", standard_downloads.render_pdf),
}


def version_download(request, slug, label, fmt):
    """An adopted version (published or superseded) as Markdown or PDF; other
    versions are not documents of record (404)."""
    content_type, render_document = FORMATS[fmt]
    standard = selectors.standard_get(slug)
    version = selectors.downloadable_version_get(standard, label, request.user)
    document = standard_downloads.version_document(
        version, list(selectors.version_clauses(version))
    )
    label = re.sub(r"[^A-Za-z0-9._-]+", "-", version.label).strip(".-") or str(version.pk)
    filename = f"{standard.slug}-{label}.{fmt}"
    return HttpResponse(
        render_document(document),
        content_type=content_type,
        headers={"Content-Disposition": content_disposition_header(False, filename)},
    )


def consultation_balance(request, pk):
    """Who took part in a comment period, by chamber: comments and distinct
    commenters (counts only), artisanal miners stated explicitly."""
    consultation = selectors.consultation_get(pk)
    require_read(request.user, consultation)
    balance = selectors.comment_balance(consultation)
    return render(
        request,
        "cms/balance.html",
        {
            "kind": "consultation",
            "consultation": consultation,
            "standard": consultation.version.standard,
            "group": consultation.version.standard.working_group,
            "balance": balance,
            "miners": balance.artisanal_miners,
        },
    )
