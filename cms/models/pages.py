"""Public pages. Pages read governance data through selectors; they never count or write."""

from django.db import models
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from governance import selectors

from ..blocks import StoryStreamBlock


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
    subpage_types = ["cms.ContentPage", "cms.WorkingGroupIndexPage"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["working_groups"] = selectors.public_working_groups()
        index = WorkingGroupIndexPage.objects.live().first()
        context["groups_index_url"] = index.get_url(request) if index else ""
        context["chain_links"] = selectors.member_count_by_chain_link()
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
        group = get_object_or_404(selectors.public_working_groups(), slug=slug)
        table = selectors.seat_table(group)
        return self.render(
            request,
            context_overrides={"group": group, "table": table},
            template="cms/working_group_page.html",
        )
