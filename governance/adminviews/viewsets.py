"""The "Governance" admin menu: one ModelViewSet per registry model.

Nothing here is deleted, copied or given Wagtail's own history: the audit log is
the history, retiring and ending replace deleting.
"""

from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, InlinePanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from ..models import Chamber, Organisation, Seat, SeatAssignment, WorkingGroup, WorkingGroupRole
from . import filters, forms, views
from .columns import SEAT_COLUMNS
from .panels import CompositionPanel
from .rules import VotingRuleViewSet


class RegistryViewSet(ModelViewSet):
    """Index, add and edit only. `panels` builds the edit form; `add_panels`, when set,
    the create form (a term is started with every field, then only its end changes)."""

    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = views.ScopedIndexView
    base_form_class = forms.SourceTextAdminForm
    add_panels = None
    add_form_class = None
    list_select_related = ()
    removed_views = frozenset({"delete", "history", "history_results", "usage"})

    @cached_property
    def name(self):
        # Namespaced so other apps' viewsets ("seat", "chamber", …) cannot collide.
        return f"governance_{self.model_name}"

    @cached_property
    def url_prefix(self):
        return f"governance/{self.model_name}"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, history_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in self.removed_views]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=self.list_select_related, **kwargs)

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=self.base_form_class).bind_to_model(
            self.model
        )

    @cached_property
    def _add_handler(self):
        form_class = self.add_form_class or self.base_form_class
        return ObjectList(self.add_panels, base_form_class=form_class).bind_to_model(self.model)

    def get_add_view_kwargs(self, **kwargs):
        if self.add_panels is not None:
            kwargs = {
                "panel": self._add_handler,
                "form_class": self._add_handler.get_form_class(),
                **kwargs,
            }
        return super().get_add_view_kwargs(**kwargs)


class OrganisationViewSet(RegistryViewSet):
    model = Organisation
    icon = "site"
    add_view_class = views.OrganisationCreateView
    edit_view_class = views.OrganisationEditView
    list_display = ["name", "chain_link", "country", "membership_status", "is_non_profit"]
    list_filter = [
        "chain_link",
        "membership_status",
        "is_non_profit",
        "represents_artisanal_miners",
    ]
    search_fields = ["name"]
    _common = [
        FieldPanel("chain_link"),
        FieldPanel("country"),
        FieldPanel("website"),
        FieldPanel("description"),
        FieldPanel("membership_status"),
        FieldPanel("is_non_profit"),
        FieldPanel("represents_artisanal_miners"),
    ]
    # The service derives the slug from the name on creation.
    add_panels = [FieldPanel("name"), *_common]
    panels = [FieldPanel("name"), FieldPanel("slug"), *_common]


class ChamberViewSet(RegistryViewSet):
    model = Chamber
    icon = "list-ul"
    add_view_class = views.ChamberCreateView
    edit_view_class = views.ChamberEditView
    base_form_class = forms.ChamberForm
    list_display = ["__str__", "parent", "sort_order"]
    list_select_related = ["parent"]
    _common = [FieldPanel("parent"), FieldPanel("description"), FieldPanel("sort_order")]
    add_panels = [FieldPanel("name"), *_common]
    panels = [FieldPanel("name"), FieldPanel("slug"), *_common]


class WorkingGroupViewSet(RegistryViewSet):
    """Platform admins create groups; a secretariat edits its own groups and their rules."""

    model = WorkingGroup
    icon = "group"
    index_view_class = views.WorkingGroupIndexView
    add_view_class = views.WorkingGroupCreateView
    edit_view_class = views.WorkingGroupEditView
    list_display = [
        "name",
        "status",
        "max_seats",
        Column("active_seats", label=_("Active seats"), sort_key="active_seats"),
    ]
    list_filter = ["status"]
    search_fields = ["name"]
    _settings = [
        FieldPanel("status"),
        FieldPanel("mandate"),
        FieldPanel("max_seats"),
        FieldPanel("reference_time_zone"),
        FieldPanel("min_public_consultation_days"),
    ]
    _rules = [
        InlinePanel("chamber_quotas", heading=_("Chamber minimums"), label=_("chamber minimum")),
        InlinePanel(
            "reserved_seat_rules", heading=_("Reserved seats"), label=_("reserved-seat rule")
        ),
    ]
    add_panels = [FieldPanel("name"), *_settings, *_rules]
    panels = [
        CompositionPanel(),
        FieldPanel("name"),
        FieldPanel("slug"),
        *_settings,
        *_rules,
    ]


class SeatViewSet(RegistryViewSet):
    model = Seat
    icon = "grid"
    index_view_class = views.SeatIndexView
    add_view_class = views.SeatCreateView
    edit_view_class = views.SeatEditView
    base_form_class = forms.SeatForm
    filterset_class = filters.SeatFilterSet
    list_display = ["label", "working_group", "chamber", "weight", *SEAT_COLUMNS]
    list_per_page = 50
    search_fields = ["label"]
    panels = [
        FieldPanel("working_group"),
        FieldPanel("chamber"),
        FieldPanel("label"),
        FieldPanel("weight"),
        FieldPanel("facilitator"),
        FieldPanel("sort_order"),
    ]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(retire_url_name=self.get_url_name("retire"), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(retire_url_name=self.get_url_name("retire"), **kwargs)

    @property
    def retire_view(self):
        return self.construct_view(
            views.SeatRetireView, retire_url_name=self.get_url_name("retire")
        )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(f"retire/<{self.pk_path_converter}:pk>/", self.retire_view, name="retire"),
        ]


def _term_panels(*fields: str) -> tuple[list, list]:
    """Panels of a term (a seat assignment, a role): every field when it starts; after
    that only its end may change, the history stays as it was."""
    starting = [FieldPanel(name) for name in (*fields, "start", "end")]
    running = [FieldPanel(name, read_only=True) for name in (*fields, "start")]
    return starting, [*running, FieldPanel("end")]


class SeatAssignmentViewSet(RegistryViewSet):
    """A term starts with every field; afterwards only its end can change."""

    model = SeatAssignment
    icon = "user"
    list_select_related = ["seat__working_group", "person", "organisation"]
    add_view_class = views.AssignmentCreateView
    edit_view_class = views.AssignmentEditView
    filterset_class = filters.AssignmentFilterSet
    list_display = ["__str__", "organisation", "start", "end"]
    add_form_class = forms.AssignmentStartForm
    base_form_class = forms.TermEndForm
    add_panels, panels = _term_panels("seat", "person", "role", "organisation")


class WorkingGroupRoleViewSet(RegistryViewSet):
    model = WorkingGroupRole
    icon = "key"
    list_select_related = ["working_group", "person"]
    add_view_class = views.RoleCreateView
    edit_view_class = views.RoleEditView
    filterset_class = filters.RoleFilterSet
    list_display = ["__str__", "start", "end"]
    add_form_class = forms.RoleGrantForm
    base_form_class = forms.TermEndForm
    add_panels, panels = _term_panels("working_group", "person", "role")


class GovernanceViewSetGroup(ModelViewSetGroup):
    menu_label = _("Governance")
    menu_icon = "globe"
    menu_order = 300
    # Other governance viewsets (ballots, decisions, …) join this menu by setting
    # `menu_hook = GovernanceViewSetGroup.submenu_hook`.
    submenu_hook = "register_governance_menu_item"
    items = (
        WorkingGroupViewSet,
        SeatViewSet,
        SeatAssignmentViewSet,
        WorkingGroupRoleViewSet,
        OrganisationViewSet,
        ChamberViewSet,
        VotingRuleViewSet,
    )
