"""Pages of the site that are not Wagtail pages: search, open data."""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from governance.models import WorkingGroup

from . import search as site_search

PER_KIND = 5
PER_PAGE = 20
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
