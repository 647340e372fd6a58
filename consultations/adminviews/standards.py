"""Standards in the admin: Wagtail's generic index, create and edit views, with every
save going through `services.standard_save`."""

from django.db.models import Count
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.widgets.button import Button

from governance.adminviews.views import ScopedIndexView, ServiceCreateView, ServiceEditView

from .. import services

# URL namespaces of the two viewsets (adminviews.viewsets).
STANDARDS = "consultations_standard"
DRAFTS = "consultations_drafts"


def versions_url(standard) -> str:
    return reverse(f"{DRAFTS}:standard", args=(standard.pk,))


class StandardIndexView(ScopedIndexView):
    list_select_related = ("working_group",)

    def get_base_queryset(self):
        return super().get_base_queryset().annotate(version_count=Count("versions"))

    def get_list_more_buttons(self, instance):
        return [
            *super().get_list_more_buttons(instance),
            MenuItem(
                _("Draft versions"), url=versions_url(instance), icon_name="doc-full", priority=5
            ),
        ]


class StandardSave:
    def call_service(self, form):
        return services.standard_save(actor=self.request.user, standard=form.save(commit=False))


class StandardCreateView(StandardSave, ServiceCreateView):
    pass


class StandardEditView(StandardSave, ServiceEditView):
    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Draft versions"), url=versions_url(self.object), icon_name="doc-full", priority=5
            ),
        ]
