"""The "Standards" admin menu: standards (a model viewset) and the drafting table."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import policy_registry

from ..models import DraftVersion, Standard
from . import clauses, standards, versions
from .forms import StandardForm


class StandardViewSet(ModelViewSet):
    """Index, add and edit. Versions replace deleting: nothing is deleted from here."""

    model = Standard
    name = standards.STANDARDS
    url_prefix = "consultations/standard"
    icon = "doc-full-inverse"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = standards.StandardIndexView
    add_view_class = standards.StandardCreateView
    edit_view_class = standards.StandardEditView
    list_display = [
        "title",
        "working_group",
        Column("version_count", label=_("Versions"), sort_key="version_count"),
    ]
    list_filter = []
    search_fields = ["title"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("working_group"),
        FieldPanel("summary"),
    ]
    removed_views = frozenset({"delete", "history", "history_results", "usage"})

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, history_url_name=None, usage_url_name=None, **kwargs
        )

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in self.removed_views]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(list_select_related=["working_group"], **kwargs)

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=StandardForm).bind_to_model(self.model)


class DraftsViewSet(ViewSet):
    """Versions of each standard, a version's clauses and the actions on them."""

    name = standards.DRAFTS
    url_prefix = "consultations/drafts"
    icon = "doc-full"
    menu_label = _("Draft versions")

    @property
    def menu_item_class(self):
        def is_shown(_item, request):
            return policy_registry.get_by_type(DraftVersion).user_has_permission(
                request.user, "change"
            )

        return type("DraftsMenuItem", (MenuItem,), {"is_shown": is_shown})

    def get_urlpatterns(self):
        version = "<int:pk>/"
        clause = f"{version}clauses/<int:clause_pk>/"
        return [
            path("", versions.VersionIndexView.as_view(), name="index"),
            path(
                "standard/<int:standard_pk>/", versions.VersionIndexView.as_view(), name="standard"
            ),
            path(
                "standard/<int:standard_pk>/start/",
                versions.VersionStartView.as_view(),
                name="start",
            ),
            path(
                "standard/<int:standard_pk>/import/",
                versions.DraftImportView.as_view(),
                name="import",
            ),
            path(version, versions.VersionDetailView.as_view(), name="version"),
            path(f"{version}clauses/add/", clauses.ClauseFormView.as_view(), name="clause_add"),
            path(f"{version}clauses/move/", clauses.ClauseMoveView.as_view(), name="clause_move"),
            path(clause, clauses.ClauseFormView.as_view(), name="clause_edit"),
            path(f"{clause}delete/", clauses.ClauseDeleteView.as_view(), name="clause_delete"),
            path(f"{version}renumber/", clauses.RenumberView.as_view(), name="renumber"),
            path(f"{version}schedule/", versions.ScheduleView.as_view(), name="schedule"),
            path(f"{version}publish/", versions.VersionPublishView.as_view(), name="publish"),
        ]


class StandardsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Standards")
    menu_icon = "doc-full-inverse"
    menu_order = 310
    items = (StandardViewSet, DraftsViewSet)
