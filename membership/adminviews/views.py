"""The secretariat's review queue and bookkeeping in the Wagtail admin. Each action
calls one service; a refusal comes back from a transaction that rolled back, so
nothing changed, and is shown on the page."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.widgets.button import HeaderButton

from governance.adminviews.forms import add_service_error
from governance.adminviews.views import ServiceCreateView, ServiceEditView

from .. import services
from ..models import Application, Contribution
from .forms import (
    AcceptForm,
    AssessForm,
    AttachForm,
    DeclineForm,
    PaymentForm,
    RequestInfoForm,
)


def _refusal_messages(refusal) -> list[str]:
    if isinstance(refusal, PermissionDenied):
        return [str(refusal) or _("You may not make this change.")]
    return refusal.messages


class ApplicationIndexView(IndexView):
    """The queue: open applications first, oldest first; decided ones after."""

    def get_base_queryset(self):
        from django.db.models import Case, IntegerField, Value, When

        return (
            super()
            .get_base_queryset()
            .select_related("ballot")
            .annotate(
                waiting=Case(
                    When(status__in=["pending", "info_requested"], then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("waiting", "submitted_at")
        )


class ActionPage(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """A page of one record with several small forms, each posting an `action`."""

    model = None
    permission_required = "change"
    index_url_name = None
    edit_url_name = None
    actions: dict = {}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": self.model._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_page_subtitle(self):
        return str(self.object)

    def forms(self, bound=None, data=None) -> dict:
        return {
            name: (factory(data) if name == bound else factory(None))
            for name, factory in self.form_factories().items()
        }

    def form_factories(self) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("forms", self.forms())
        context.update(object=self.object, errors=getattr(self, "errors", []))
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        handler = getattr(self, f"do_{action}", None)
        if handler is None:
            return self.get(request, *args, **kwargs)
        forms = self.forms(bound=action, data=request.POST)
        form = forms.get(action)
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(forms=forms))
        try:
            with transaction.atomic():
                message = handler(form.cleaned_data if form is not None else {})
        except (ValidationError, PermissionDenied) as refusal:
            # Shown above everything: the form it came from may no longer be on the page
            # (an application decided meanwhile).
            self.errors = _refusal_messages(refusal)
            return self.render_to_response(self.get_context_data(forms=forms))
        messages.success(request, message)
        return redirect(self.edit_url_name, self.object.pk)


class ApplicationReviewView(ActionPage):
    """One application: what the applicant wrote, its history, and the decisions."""

    template_name = "membership/admin/application_review.html"
    page_title = gettext_lazy("Review application")
    header_icon = "mail"

    @cached_property
    def object(self):
        return get_object_or_404(
            Application.objects.select_related("organisation", "contact", "ballot"),
            pk=self.kwargs["pk"],
        )

    def form_factories(self):
        user = self.request.user
        return {
            "accept": lambda data: AcceptForm(data, prefix="accept"),
            "ask": lambda data: RequestInfoForm(data, prefix="ask"),
            "decline": lambda data: DeclineForm(data, prefix="decline"),
            "attach": lambda data: AttachForm(data, prefix="attach", user=user),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = list(self.object.history.select_related("actor"))
        return context

    def do_accept(self, data):
        services.application_accept(
            actor=self.request.user, application=self.object, chamber=data.get("chamber")
        )
        return _("%(name)s is now a member.") % {"name": self.object.organisation_name}

    def do_ask(self, data):
        services.application_request_info(
            actor=self.request.user, application=self.object, question=data["question"]
        )
        return _("Your question has been emailed to the applicant.")

    def do_decline(self, data):
        services.application_decline(
            actor=self.request.user, application=self.object, reason=data["reason"]
        )
        return _("The application has been declined and the applicant told why.")

    def do_attach(self, data):
        services.application_attach(
            actor=self.request.user, application=self.object, ballot=data["ballot"]
        )
        return _("The application now waits for the ballot “%(ballot)s”.") % {
            "ballot": data["ballot"].title
        }

    def do_detach(self, data):
        services.application_detach(actor=self.request.user, application=self.object)
        return _("The application is back in the queue.")


class ContributionIndexView(IndexView):
    assess_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organisation")

    @cached_property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton(_("Assess a year"), url=reverse(self.assess_url_name), icon_name="plus"),
        ]


class ContributionDetailView(ActionPage):
    """One member's contribution for one year: record a payment, send an invoice."""

    template_name = "membership/admin/contribution_detail.html"
    page_title = gettext_lazy("Contribution")
    header_icon = "table"

    @cached_property
    def object(self):
        return get_object_or_404(
            Contribution.objects.select_related(
                "organisation__membership__contact"
            ).prefetch_related("payments", "invoices"),
            pk=self.kwargs["pk"],
        )

    def form_factories(self):
        return {"pay": lambda data: PaymentForm(data, prefix="pay")}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paid = services.paid_total(self.object)
        context.update(paid=paid, remaining=self.object.amount - paid)
        return context

    def do_pay(self, data):
        services.payment_record(
            actor=self.request.user,
            contribution=self.object,
            amount=data["amount"],
            received_on=data["received_on"],
            reference=data["reference"],
        )
        return _("Payment recorded.")

    def do_invoice(self, data):
        invoice = services.invoice_issue(actor=self.request.user, contribution=self.object)
        return _("Invoice %(number)s sent to %(email)s.") % {
            "number": invoice.number,
            "email": self.object.organisation.membership.contact.email,
        }


class AssessView(PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Assess a year's contributions for every member not yet assessed."""

    model = Contribution
    permission_required = "change"
    template_name = "membership/admin/assess.html"
    page_title = gettext_lazy("Assess a year's contributions")
    header_icon = "table"
    index_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", AssessForm(initial={"year": timezone.localdate().year}, prefix="assess")
        )
        return context

    def post(self, request, *args, **kwargs):
        form = AssessForm(request.POST, prefix="assess")
        if form.is_valid():
            try:
                created = services.contributions_assess(
                    actor=request.user, year=form.cleaned_data["year"]
                )
            except (ValidationError, PermissionDenied) as refusal:
                add_service_error(form, refusal)
            else:
                messages.success(
                    request,
                    _("%(n)s contributions assessed for %(year)s.")
                    % {"n": len(created), "year": form.cleaned_data["year"]},
                )
                return redirect(self.index_url_name)
        return self.render_to_response(self.get_context_data(form=form))


class ScheduleSave:
    def call_service(self, form):
        return services.schedule_save(actor=self.request.user, schedule=form.save(commit=False))


class ScheduleCreateView(ScheduleSave, ServiceCreateView):
    pass


class ScheduleEditView(ScheduleSave, ServiceEditView):
    pass


class FundingSave:
    def call_service(self, form):
        return services.programme_funding_save(
            actor=self.request.user, funding=form.save(commit=False)
        )


class FundingCreateView(FundingSave, ServiceCreateView):
    pass


class FundingEditView(FundingSave, ServiceEditView):
    pass
