"""Pages of the site that are not Wagtail pages: search, open data."""

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from governance.models import WorkingGroup

from . import search as site_search
from .api import results

PER_KIND = 5
PER_PAGE = 20
OPEN_DATA_BALLOTS = 20
MAX_QUERY = 200


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=MAX_QUERY, required=False)
    kind = forms.ChoiceField(label=_("Type"), required=False)
    group = forms.ChoiceField(label=_("Working group"), required=False)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything")), *site_search.KINDS.items()]
        self.fields["group"].choices = [("", _("All working groups"))] + [
            (g.slug, g.name) for g in groups
        ]


def search(request):
    """Site-wide search (GET). Without a type: the best few of each type, each with a
    link to all of them; with a type: that type's results, paged."""
    reader = site_search.Reader.for_user(request.user)
    groups = list(
        WorkingGroup.objects.filter(reader.group_q("")).only("name", "slug").order_by("name")
    )
    form = SearchForm(request.GET or None, groups=groups)
    form.is_valid()
    chosen = form.cleaned_data if form.is_bound else {}
    query = (chosen.get("q") or "").strip()
    kind = chosen.get("kind") or ""
    group = next((g for g in groups if g.slug == chosen.get("group")), None)
    context = {"form": form, "query": query, "kind": kind, "sections": [], "page_obj": None}
    if query:
        links = site_search.Links(request)
        if kind:
            page_obj = Paginator(site_search.search(kind, query, reader, group), PER_PAGE).get_page(
                request.GET.get("page")
            )
            context["page_obj"] = page_obj
            context["sections"] = [
                {
                    "kind": kind,
                    "label": site_search.KINDS[kind],
                    "hits": [site_search.hit(kind, row, query, links) for row in page_obj],
                }
            ]
            params = request.GET.copy()
            params.pop("page", None)
            context["pagination_query"] = params.urlencode()
        else:
            for name, label in site_search.KINDS.items():
                rows = list(site_search.search(name, query, reader, group)[: PER_KIND + 1])
                if rows:
                    params = request.GET.copy()
                    params["kind"] = name
                    context["sections"].append(
                        {
                            "kind": name,
                            "label": label,
                            "hits": [
                                site_search.hit(name, row, query, links) for row in rows[:PER_KIND]
                            ],
                            "more_query": params.urlencode() if len(rows) > PER_KIND else "",
                        }
                    )
    return render(request, "cms/search.html", context)


def open_data(request):
    """Every feed, calendar, export and the API, with its documentation. The addresses
    are the same in every language; each link asks for the reader's (`?lang=`), so the
    data a French reader opens is in French."""
    language = get_language() or settings.LANGUAGE_CODE
    lang = "" if language == settings.LANGUAGE_CODE else f"?lang={language}"

    def link(name, *args, **kwargs):
        return reverse(name, args=args, kwargs=kwargs) + lang

    groups = [
        {
            "name": group.name,
            "decisions_rss": link("feed_group_decisions_rss", slug=group.slug),
            "decisions_atom": link("feed_group_decisions_atom", slug=group.slug),
            "consultations_rss": link("feed_group_consultations_rss", slug=group.slug),
            "consultations_atom": link("feed_group_consultations_atom", slug=group.slug),
            "calendar": link("calendar_group", slug=group.slug),
        }
        for group in WorkingGroup.objects.public().only("name", "slug").order_by("name")
    ]
    ballots = [
        {
            "title": ballot.title,
            "group": ballot.working_group.name,
            "csv": link("export_ballot_csv", ballot.pk),
            "xlsx": link("export_ballot_xlsx", ballot.pk),
        }
        for ballot in results.finished_ballots()
        .exclude(result__isnull=True)
        .exclude(result={})[:OPEN_DATA_BALLOTS]
    ]
    api_root = reverse("api-v1:api-root")
    context = {
        "feeds": {
            "decisions_rss": link("feed_decisions_rss"),
            "decisions_atom": link("feed_decisions_atom"),
            "consultations_rss": link("feed_consultations_rss"),
            "consultations_atom": link("feed_consultations_atom"),
        },
        "calendar": link("calendar"),
        "exports": {
            "csv": link("export_decisions_csv"),
            "xlsx": link("export_decisions_xlsx"),
        },
        "api": {
            "root": api_root,
            "docs": reverse("api-v1:openapi-view"),
            "schema": reverse("api-v1:openapi-json"),
            "decisions": f"{api_root}decisions{lang}",
        },
        "groups": groups,
        "ballots": ballots,
    }
    return render(request, "cms/open_data.html", context)
