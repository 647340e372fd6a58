"""The "Membership" admin menu: the review queue, contributions, the schedule and the
programme funding. Nothing is deleted, copied or given Wagtail's own history: the
audit log and each application's steps are the history."""

from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from ..models import Application, Contribution, ContributionSchedule, ProgrammeFunding
from . import forms, views

NO_VIEWS = frozenset({"delete", "history", "history_results", "usage", "copy"})


class MembershipViewSet(ModelViewSet):
    add_to_reference_index = False
    copy_view_enabled = False
    removed_views = NO_VIEWS

    @cached_property
    def name(self):
        return f"membership_{self.model_name}"

    @cached_property
    def url_prefix(self):
        return f"membership/{self.model_name}"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, history_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in self.removed_views]


class ActionPageViewSet(MembershipViewSet):
    """Index plus one action page per row (in place of the edit form)."""

    removed_views = NO_VIEWS | {"add", "edit"}
    page_view_class = None
    # Wagtail builds a form class for the add and edit views even when their URLs are
    # removed; these viewsets never show one.
    exclude_form_fields = []

    @property
    def page_view(self):
        return self.page_view_class.as_view(
            model=self.model,
            index_url_name=self.get_url_name("index"),
            edit_url_name=self.get_url_name("edit"),
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("edit/<int:pk>/", self.page_view, name="edit"),
        ]


class ApplicationViewSet(ActionPageViewSet):
    model = Application
    icon = "mail"
    menu_label = _("Applications")
    index_view_class = views.ApplicationIndexView
    page_view_class = views.ApplicationReviewView
    list_display = [
        "organisation_name",
        "chain_link",
        "country",
        "status",
        "ballot",
        "submitted_at",
    ]
    list_filter = ["status", "chain_link"]
    search_fields = ["organisation_name"]


class ContributionViewSet(ActionPageViewSet):
    model = Contribution
    icon = "table"
    index_view_class = views.ContributionIndexView
    page_view_class = views.ContributionDetailView
    list_display = ["organisation", "year", "chain_link", "tier", "amount", "currency"]
    list_filter = ["year", "chain_link"]
    search_fields = ["organisation__name"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(assess_url_name=self.get_url_name("assess"), **kwargs)

    @property
    def assess_view(self):
        return views.AssessView.as_view(index_url_name=self.get_url_name("index"))

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("assess/", self.assess_view, name="assess")]


class ContributionScheduleViewSet(MembershipViewSet):
    """Editing a schedule whose year has begun stores next year's version instead."""

    model = ContributionSchedule
    icon = "list-ol"
    add_view_class = views.ScheduleCreateView
    edit_view_class = views.ScheduleEditView
    list_display = ["year", "currency"]
    panels = [
        FieldPanel("year"),
        FieldPanel("currency"),
        FieldPanel("notes"),
        InlinePanel("bands", heading=_("Bands"), label=_("band")),
    ]

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=forms.ScheduleForm).bind_to_model(self.model)


class ProgrammeFundingViewSet(MembershipViewSet):
    model = ProgrammeFunding
    icon = "pick"
    add_view_class = views.FundingCreateView
    edit_view_class = views.FundingEditView
    list_display = ["year", "amount", "currency"]
    panels = [FieldPanel("year"), FieldPanel("amount"), FieldPanel("currency"), FieldPanel("note")]

    def get_edit_handler(self):
        return ObjectList(self.panels).bind_to_model(self.model)


class MembershipViewSetGroup(ModelViewSetGroup):
    menu_label = _("Membership")
    menu_icon = "group"
    menu_order = 310
    items = (
        ApplicationViewSet,
        ContributionViewSet,
        ContributionScheduleViewSet,
        ProgrammeFundingViewSet,
    )
