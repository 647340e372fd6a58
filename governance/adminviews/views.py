"""Admin views: Wagtail's generic views, with every save routed through a service.

Each create/edit view implements `call_service(form)`. If the service refuses
(ValidationError or PermissionDenied), its transaction has rolled back, so
nothing is saved and no audit event is written; the refusal goes onto the form
and the page is shown again.

Querysets come from the permission policies (adminviews.policies), so a
secretariat's listings, choices and object URLs reach only its own groups: an
object of another group is a 404.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import CreateView, EditView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import Button

from .. import services
from .columns import seats_for_listing
from .forms import add_service_error

# --- Shared behaviour ---------------------------------------------------------


class ScopedIndexView(IndexView):
    """Lists only the rows the permission policy puts in the user's reach."""

    list_select_related = ()

    def get_base_queryset(self):
        rows = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, self.any_permission_required
        )
        return rows.select_related(*self.list_select_related) if self.list_select_related else rows


class ServiceFormMixin:
    """Saves by calling a service; shows the service's refusal on the form."""

    def call_service(self, form):
        raise NotImplementedError

    def save_instance(self):
        return self.call_service(self.form)

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except (ValidationError, PermissionDenied) as refusal:
            add_service_error(form, refusal)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class ServiceCreateView(ServiceFormMixin, CreateView):
    pass


class ServiceEditView(ServiceFormMixin, EditView):
    """Edits only objects in the user's reach: anything else is a 404."""

    def get_queryset(self):
        return self.permission_policy.instances_user_has_permission_for(self.request.user, "change")

    def form_invalid(self, form):
        # The model form wrote the refused values onto the instance; the page header
        # should name the object as it is stored.
        self.object = self.get_object()
        return super().form_invalid(form)


# --- Organisations and chambers (platform admins) -------------------------------


class OrganisationSave:
    def call_service(self, form):
        return services.organisation_save(
            actor=self.request.user, organisation=form.save(commit=False)
        )


class OrganisationCreateView(OrganisationSave, ServiceCreateView):
    pass


class OrganisationEditView(OrganisationSave, ServiceEditView):
    pass


class ChamberSave:
    def call_service(self, form):
        return services.chamber_save(actor=self.request.user, chamber=form.save(commit=False))


class ChamberCreateView(ChamberSave, ServiceCreateView):
    pass


class ChamberEditView(ChamberSave, ServiceEditView):
    pass


# --- Working groups -------------------------------------------------------------


class WorkingGroupIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .annotate(active_seats=Count("seats", filter=Q(seats__is_active=True)))
        )


class WorkingGroupSave:
    def call_service(self, form):
        # ClusterForm.save(commit=False) puts the edited composition rules on the
        # group's in-memory child relations; the service checks them against the
        # current seats and group.save() commits them with the group.
        return services.working_group_save(actor=self.request.user, group=form.save(commit=False))


class WorkingGroupCreateView(WorkingGroupSave, ServiceCreateView):
    pass


class WorkingGroupEditView(WorkingGroupSave, ServiceEditView):
    pass


# --- Seats ------------------------------------------------------------------------


class SeatIndexView(ScopedIndexView):
    retire_url_name = None

    def get_base_queryset(self):
        return seats_for_listing(super().get_base_queryset())

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.is_active and self.user_has_permission("change"):
            buttons.append(
                MenuItem(
                    _("Retire"),
                    url=reverse(self.retire_url_name, args=(quote(instance.pk),)),
                    icon_name="cross",
                    priority=30,
                )
            )
        return buttons


class SeatSave:
    def call_service(self, form):
        return services.seat_save(actor=self.request.user, seat=form.save(commit=False))


class SeatCreateView(SeatSave, ServiceCreateView):
    pass


class SeatEditView(SeatSave, ServiceEditView):
    retire_url_name = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.object.is_active:
            buttons.append(
                Button(
                    _("Retire"),
                    url=reverse(self.retire_url_name, args=(quote(self.object.pk),)),
                    icon_name="cross",
                    priority=20,
                )
            )
        return buttons


class SeatRetireView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Retiring replaces deleting: the seat stays in the record, out of future rolls."""

    model = None
    permission_required = "change"
    template_name = "governance/admin/seat_retire.html"
    page_title = gettext_lazy("Retire seat")
    header_icon = "cross"
    index_url_name = None
    edit_url_name = None
    retire_url_name = None

    @cached_property
    def object(self):
        seats = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        return get_object_or_404(seats.select_related("working_group"), pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(self.model._meta.verbose_name_plural),
            },
            {"url": self.edit_url, "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    @cached_property
    def edit_url(self):
        return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            errors=getattr(self, "errors", []),
            action_url=reverse(self.retire_url_name, args=(quote(self.object.pk),)),
            cancel_url=self.edit_url,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            services.seat_retire(actor=request.user, seat=self.object)
        except ValidationError as refusal:
            self.errors = refusal.messages
        except PermissionDenied as refusal:
            self.errors = [str(refusal) or _("You may not make this change.")]
        else:
            messages.success(request, _("Seat '%(seat)s' retired.") % {"seat": self.object})
            return redirect(self.index_url_name)
        return self.render_to_response(self.get_context_data())


# --- Seat assignments and roles: start with the whole row, then only end it ---------


class AssignmentCreateView(ServiceCreateView):
    def call_service(self, form):
        data = form.cleaned_data
        return services.seat_assignment_start(
            actor=self.request.user,
            seat=data["seat"],
            person=data["person"],
            role=data["role"],
            organisation=data["organisation"],
            start=data["start"],
            end=data.get("end"),
        )


class AssignmentEditView(ServiceEditView):
    def call_service(self, form):
        return services.seat_assignment_end(
            actor=self.request.user, assignment=self.object, end=form.cleaned_data["end"]
        )


class RoleCreateView(ServiceCreateView):
    def call_service(self, form):
        data = form.cleaned_data
        return services.role_grant(
            actor=self.request.user,
            group=data["working_group"],
            person=data["person"],
            role=data["role"],
            start=data["start"],
            end=data.get("end"),
        )


class RoleEditView(ServiceEditView):
    def call_service(self, form):
        return services.role_end(
            actor=self.request.user, grant=self.object, end=form.cleaned_data["end"]
        )
