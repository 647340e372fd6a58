"""RSS and Atom feeds of the public record (django.contrib.syndication).

- /feeds/decisions.rss|.atom: the latest decisions, site-wide;
- /feeds/groups/<slug>/decisions.rss|.atom: one working group's;
- /feeds/consultations.rss|.atom: public comment periods as they open (scheduled
  ones appear once they open), and /feeds/groups/<slug>/consultations.rss|.atom.

Items are read through cms.api.selectors, so a feed shows what the API shows and
nothing more: no members-only period, no email address.
"""

import datetime

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from governance.models import WorkingGroup
from governance.tally import outcome_label

from .api import results, selectors

ITEMS = 50


class _Feed(Feed):
    feed_type = Rss201rev2Feed
    item_guid_is_permalink = False

    def get_object(self, request, slug: str | None = None):
        if slug is None:
            return None
        return get_object_or_404(WorkingGroup.objects.public(), slug=slug)


class _AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)


# --- Decisions -------------------------------------------------------------------------


class DecisionsFeed(_Feed):
    def title(self, obj) -> str:
        if obj is None:
            return _("Chaintable: decisions")
        return _("Chaintable: decisions of %(group)s") % {"group": obj.name}

    def description(self, obj) -> str:
        return _("What the working groups decided, with the tally's explanation.")

    def link(self, obj) -> str:
        return "/"

    def items(self, obj):
        queryset = results.decisions()
        if obj is not None:
            queryset = queryset.filter(working_group=obj)
        return results.with_paths(queryset[:ITEMS])  # each links to its decision's page

    def item_title(self, item) -> str:
        return f"{item.title} — {outcome_label(item.outcome)}"

    def item_description(self, item) -> str:
        parts = [item.motion, results.explanation(item.explanations)]
        return "\n\n".join(part for part in parts if part)

    def item_link(self, item) -> str:
        return item.path

    def item_guid(self, item) -> str:
        return f"decision-{item.pk}@chaintable"

    def item_pubdate(self, item):
        return item.decided_at

    def item_updateddate(self, item):
        return item.decided_at

    def item_categories(self, item):
        return [item.working_group.name, outcome_label(item.outcome)]


class DecisionsAtomFeed(_AtomMixin, DecisionsFeed):
    pass


# --- Comment periods -------------------------------------------------------------------


class ConsultationsFeed(_Feed):
    def title(self, obj) -> str:
        if obj is None:
            return _("Chaintable: public comment periods")
        return _("Chaintable: public comment periods of %(group)s") % {"group": obj.name}

    def description(self, obj) -> str:
        return _("Drafts put out for public comment, as each comment period opens.")

    def link(self, obj) -> str:
        return "/"

    def items(self, obj):
        queryset = selectors.consultations().filter(opens_at__lte=timezone.now())
        if obj is not None:
            queryset = queryset.filter(version__standard__working_group=obj)
        return list(queryset[:ITEMS])

    def item_title(self, item) -> str:
        return _("Comment period open: %(standard)s %(version)s, round %(round)s") % {
            "standard": item.version.standard.title,
            "version": item.version.label,
            "round": item.round_number,
        }

    def item_description(self, item) -> str:
        closes = item.closes_at.astimezone(datetime.UTC)
        lines = [_("Comments close %(when)s UTC.") % {"when": closes.strftime("%Y-%m-%d %H:%M")}]
        if item.instructions:
            lines.append(item.instructions)
        return "\n\n".join(lines)

    def item_link(self, item) -> str:
        return selectors.consultation_path(item.pk)

    def item_guid(self, item) -> str:
        return f"consultation-{item.pk}-opens@chaintable"

    def item_pubdate(self, item):
        return item.opens_at

    def item_updateddate(self, item):
        return item.opens_at

    def item_categories(self, item):
        return [item.version.standard.working_group.name, item.version.standard.title]


class ConsultationsAtomFeed(_AtomMixin, ConsultationsFeed):
    pass
