"""Shared plumbing of the drafting table (versions, clauses and the actions on them).

Every change calls one service (consultations.services). A refusal
(ValidationError or PermissionDenied) comes back from a transaction that has
rolled back, so nothing changed; it is shown on the form, on the confirmation
page, or as an admin message. Versions and standards outside the user's working
groups are 404s; versions that are no longer being drafted are read-only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.permissions import policy_registry

from governance.adminviews.forms import add_service_error

from ..models import DraftVersion
from .standards import DRAFTS, STANDARDS


def url(name: str, *args) -> str:
    return reverse(f"{DRAFTS}:{name}", args=args)


def refusal_messages(refusal: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(refusal, PermissionDenied):
        return [str(refusal) or _("You may not make this change.")]
    return refusal.messages


class DraftingMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    """Permission from the DraftVersion policy; objects from the user's reach only."""

    model = DraftVersion
    permission_required = "change"
    header_icon = "doc-full"

    def reachable(self, model):
        return policy_registry.get_by_type(model).instances_user_has_permission_for(
            self.request.user, "change"
        )

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{STANDARDS}:index"), "label": _("Standards")},
            *self.trail(),
            {"url": "", "label": self.get_page_title()},
        ]

    def trail(self) -> list[dict]:
        return []


class VersionMixin(DraftingMixin):
    """Views on one version (`pk` in the URL)."""

    editable_only = False  # clause and numbering changes: only while drafting

    @cached_property
    def version(self) -> DraftVersion:
        return get_object_or_404(
            self.reachable(DraftVersion).select_related("standard__working_group", "based_on"),
            pk=self.kwargs["pk"],
        )

    @property
    def detail_url(self) -> str:
        return url("version", self.version.pk)

    def dispatch(self, request, *args, **kwargs):
        # self.version is a 404 for versions out of reach, before anything else.
        if self.editable_only and not self.version.is_editable:
            return self.read_only()
        return super().dispatch(request, *args, **kwargs)

    def read_only(self):
        messages.error(
            self.request,
            _("Version %(label)s is %(status)s: only a version being drafted can change.")
            % {
                "label": self.version.label,
                "status": self.version.get_status_display().lower(),
            },
        )
        return HttpResponseRedirect(self.detail_url)

    def trail(self):
        standard = self.version.standard
        return [
            {"url": url("standard", standard.pk), "label": str(standard)},
            {"url": self.detail_url, "label": self.version.label},
        ]

    def get_page_subtitle(self):
        return str(self.version)


FORM_TEMPLATE = "consultations/admin/form.html"


class ServiceFormView(FormView):
    """A form whose valid data is handed to `call_service`; refusals go onto the form.
    (Views set `template_name = FORM_TEMPLATE` themselves: the Wagtail mixin before this
    class in their MRO has a template_name of its own.)"""

    submit_button_label = gettext_lazy("Save")
    error_message = gettext_lazy("The change could not be made; see the errors below.")
    intro = ""

    def call_service(self, form):
        raise NotImplementedError

    def success(self, result) -> HttpResponseRedirect:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            result = self.call_service(form)
        except (ValidationError, PermissionDenied) as refusal:
            add_service_error(form, refusal)
            return self.form_invalid(form)
        return self.success(result)

    def form_invalid(self, form):
        # The errors themselves are shown on the form (templates/consultations/admin/form.html).
        messages.error(self.request, self.error_message)
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            action_url=self.request.get_full_path(),
            submit_button_label=self.submit_button_label,
            media=form.media,
            intro=self.intro,
        )
        return context


class ConfirmView(VersionMixin, TemplateView):
    """A confirmation page whose POST calls `perform`; a refusal is shown on the page."""

    template_name = "consultations/admin/confirm.html"
    question = ""
    confirm_label = ""
    serious = False

    def perform(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            errors=getattr(self, "errors", []),
            question=self.get_question(),
            confirm_label=self.confirm_label,
            serious=self.serious,
            action_url=self.request.get_full_path(),
            cancel_url=self.detail_url,
        )
        return context

    def get_question(self):
        return self.question

    def post(self, request, *args, **kwargs):
        try:
            message = self.perform()
        except (ValidationError, PermissionDenied) as refusal:
            self.errors = refusal_messages(refusal)
            return self.render_to_response(self.get_context_data())
        messages.success(request, message)
        return HttpResponseRedirect(self.detail_url)


class VersionActionView(VersionMixin, TemplateView):
    """A button on the version page (POST only); the outcome is an admin message."""

    editable_only = True
    http_method_names = ["post"]

    def perform(self) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            messages.success(request, self.perform())
        except (ValidationError, PermissionDenied) as refusal:
            for message in refusal_messages(refusal):
                messages.error(request, message)
        return HttpResponseRedirect(self.redirect_url())

    def redirect_url(self):
        return self.detail_url
