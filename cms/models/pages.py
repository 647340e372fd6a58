"""Public pages. Pages read governance data through selectors; they never count or write."""

from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from consultations import selectors as consultation_selectors
from consultations.models import Audience, Consultation
from governance import permissions, register, selectors
from governance.models import Ballot, BallotStatus
from membership import selectors as membership_selectors

from ..blocks import StoryStreamBlock
from ..localized import groups_index


class HomePage(Page):
    tagline = models.CharField(
        _("tagline"), max_length=200, default="The whole chain, at one table."
    )
    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(StoryStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("tagline"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    max_count = 1
    subpage_types = ["cms.ContentPage", "cms.WorkingGroupIndexPage", "cms.DecisionIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["working_groups"] = selectors.public_working_groups()
        index = groups_index(request)
        context["groups_index_url"] = index.get_url(request) if index else ""
        context["chain_map"] = membership_selectors.chain_map()
        from .. import home

        context.update(home.open_now())
        context["latest_decisions"] = home.latest_decisions()
        if request.user.is_authenticated:
            context["votes_waiting"] = home.votes_waiting(request.user)
        return context


class ContentPage(Page):
    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(StoryStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    subpage_types = ["cms.ContentPage"]

    class Meta:
        verbose_name = _("content page")


class WorkingGroupIndexPage(RoutablePageMixin, Page):
    """Lists the working groups and serves one page per group at <slug>/,
    straight from the registry, so a new group never waits for an editor."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    subpage_types: list[str] = []
    DECISIONS_SHOWN = 25  # on a group's page, newest first

    class Meta:
        verbose_name = _("working-groups index")

    @path("")
    def index(self, request):
        return self.render(
            request,
            context_overrides={
                "working_groups": selectors.public_working_groups(),
                "groups_index_url": self.get_url(request),
            },
        )

    @path("<slug:slug>/")
    def group(self, request, slug):
        """The group's page: mandate, chair, seats by chamber, its standards, its comment
        periods and ballots (open, upcoming, past), what it decided (the newest
        DECISIONS_SHOWN); members also see members-only rounds, and those who run the
        group's ballots or comment periods its drafts and the ways to start new ones.
        A fixed number of queries whatever the number of seats, periods, ballots and
        decisions."""
        group = get_object_or_404(selectors.public_working_groups(), slug=slug)
        user = request.user
        member = permissions.can_view_private(user, group)
        runs_ballots = permissions.can_run_ballots(user, group)
        runs_periods = permissions.can_manage_consultations(user, group)
        table = selectors.seat_table(group)
        decisions = list(selectors.group_decisions(group)[: self.DECISIONS_SHOWN + 1])
        standards = list(consultation_selectors.group_standards(group))
        new_periods = []
        if runs_periods:
            schedulable = consultation_selectors.schedulable_versions(standards)
            for standard in standards:
                version = schedulable.get(standard.pk)
                new_periods.append(
                    {
                        "standard": standard,
                        "version": version,
                        "url": reverse("consultations_drafts:schedule", args=[version.pk])
                        if version
                        else reverse("consultations_drafts:standard", args=[standard.pk]),
                    }
                )
        response = self.render(
            request,
            context_overrides={
                "group": group,
                "table": table,
                "standards": standards,
                "periods": consultation_selectors.group_consultations(group, members=member),
                "ballots": selectors.group_ballots_by_state(group, drafts=runs_ballots),
                "decisions": decisions[: self.DECISIONS_SHOWN],
                "more_decisions": len(decisions) > self.DECISIONS_SHOWN,
                "group_url": self.url_for_group(request, group),
                "is_member": member,
                "runs_ballots": runs_ballots,
                "runs_periods": runs_periods,
                "new_periods": new_periods,
                "records_consensus": permissions.can_record_consensus(user, group),
            },
            template="cms/working_group_page.html",
        )
        if user.is_authenticated:
            # What a member or a chair sees is theirs: never for a shared cache.
            patch_cache_control(response, private=True)
        return response

    def url_for_group(self, request, group) -> str:
        return self.get_url(request) + self.reverse_subpage("group", args=[group.slug])

    @path("<slug:slug>/register/")
    def register(self, request, slug):
        """The public register of the group's governance actions: the audit log's
        public part, as sentences, newest first, paginated; with the chain's
        verification status (cached: see governance.register.audit_chain_status)."""
        group = get_object_or_404(selectors.public_working_groups(), slug=slug)
        page = Paginator(register.public_register(group), register.REGISTER_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        entries = register.register_entries(page.object_list)
        periods = {e.object_id for e in entries if e.object_type == "consultations.consultation"}
        public_periods = (
            {
                str(pk)
                for pk in Consultation.objects.filter(
                    pk__in=[int(pk) for pk in periods if pk.isdigit()], audience=Audience.PUBLIC
                ).values_list("pk", flat=True)
            }
            if periods
            else set()
        )

        def link(entry) -> str:
            if entry.object_type == "governance.ballot" and entry.object_id.isdigit():
                return reverse("ballots:detail", args=[int(entry.object_id)])
            if (
                entry.object_type == "consultations.consultation"
                and entry.object_id in public_periods
            ):
                return reverse("consultations:detail", args=[int(entry.object_id)])
            return ""

        response = self.render(
            request,
            context_overrides={
                "group": group,
                "group_url": self.url_for_group(request, group),
                "page_obj": page,
                "rows": [{"entry": entry, "url": link(entry)} for entry in entries],
                "chain": register.audit_chain_status(),
            },
            template="cms/governance_register.html",
        )
        # Live: every audited action (votes included) moves the chain's head shown here,
        # so the anonymous page cache and proxies always ask again.
        patch_cache_control(response, no_cache=True)
        return response

    @path("<slug:slug>/ballots/<int:ballot_id>/balance/")
    def ballot_balance(self, request, slug, ballot_id):
        """Seats eligible and seats that voted on one ballot, by chamber (counts only,
        never a choice), artisanal miners stated explicitly. Open, closed and
        certified ballots only: a draft or cancelled ballot has no participation."""
        group = get_object_or_404(selectors.public_working_groups(), slug=slug)
        ballot = get_object_or_404(
            Ballot,
            pk=ballot_id,
            working_group=group,
            status__in=(BallotStatus.OPEN, BallotStatus.CLOSED, BallotStatus.CERTIFIED),
        )
        balance = selectors.ballot_seat_balance(ballot)
        return self.render(
            request,
            context_overrides={
                "kind": "ballot",
                "group": group,
                "group_url": self.url_for_group(request, group),
                "ballot": ballot,
                "balance": balance,
                "miners": balance.artisanal_miners,
            },
            template="cms/balance.html",
        )
