"""The versions of a standard and one version's page: start, import, schedule, publish."""

import zoneinfo

from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages

from .. import services
from ..models import DraftVersion, PeriodState, Standard, VersionStatus
from . import forms
from .base import FORM_TEMPLATE, ConfirmView, DraftingMixin, ServiceFormView, VersionMixin, url
from .standards import STANDARDS

# --- Versions of a standard ----------------------------------------------------------


class VersionIndexView(DraftingMixin, TemplateView):
    """All standards in reach with their versions; or one standard (`standard_pk`)."""

    template_name = "consultations/admin/version_index.html"
    page_title = gettext_lazy("Draft versions")
    any_permission_required = ["change"]
    permission_required = None

    @cached_property
    def standards(self) -> list[Standard]:
        versions = DraftVersion.objects.select_related("based_on").annotate(
            clause_count=Count("clauses", distinct=True),
            period_count=Count("consultations", distinct=True),
        )
        standards = (
            self.reachable(Standard)
            .select_related("working_group")
            .prefetch_related(Prefetch("versions", queryset=versions.order_by("created_at", "pk")))
        )
        if "standard_pk" in self.kwargs:
            return [get_object_or_404(standards, pk=self.kwargs["standard_pk"])]
        return list(standards)

    def get_page_title(self):
        if "standard_pk" in self.kwargs:
            return str(self.standards[0])
        return super().get_page_title()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = [
            {
                "standard": standard,
                "edit_url": reverse(f"{STANDARDS}:edit", args=(standard.pk,)),
                "start_url": url("start", standard.pk),
                "import_url": url("import", standard.pk),
                "versions": [
                    (version, url("version", version.pk)) for version in standard.versions.all()
                ],
            }
            for standard in self.standards
        ]
        context.update(rows=rows, add_standard_url=reverse(f"{STANDARDS}:add"))
        return context


class StandardMixin(DraftingMixin):
    """Views that make a new version of a standard (`standard_pk` in the URL)."""

    @cached_property
    def standard(self) -> Standard:
        return get_object_or_404(
            self.reachable(Standard).select_related("working_group"), pk=self.kwargs["standard_pk"]
        )

    def trail(self):
        return [{"url": url("standard", self.standard.pk), "label": str(self.standard)}]

    def get_page_subtitle(self):
        return str(self.standard)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["standard"] = self.standard
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        versions = self.standard.versions.order_by("-created_at", "-pk")
        wanted = self.request.GET.get("based_on", "")
        based_on = versions.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        initial["based_on"] = based_on or versions.first()
        return initial

    def success(self, version):
        return HttpResponseRedirect(url("version", version.pk))


class VersionStartView(StandardMixin, ServiceFormView):
    template_name = FORM_TEMPLATE
    form_class = forms.VersionStartForm
    page_title = gettext_lazy("Start a new version")
    submit_button_label = gettext_lazy("Start the version")

    def call_service(self, form):
        version = services.version_start(
            actor=self.request.user,
            standard=self.standard,
            label=form.cleaned_data["label"].strip(),
            based_on=form.cleaned_data["based_on"],
        )
        messages.success(
            self.request,
            _("Version %(label)s started with %(n)s clause(s).")
            % {"label": version.label, "n": version.clauses.count()},
        )
        return version


class DraftImportView(StandardMixin, ServiceFormView):
    template_name = FORM_TEMPLATE
    form_class = forms.DraftImportForm
    page_title = gettext_lazy("Import a draft")
    submit_button_label = gettext_lazy("Import")
    error_message = gettext_lazy("The draft was not imported; see the errors below.")
    intro = gettext_lazy(
        "Each heading of the file becomes a clause; text up to the next heading is its body."
    )

    def call_service(self, form):
        version = services.version_import(
            actor=self.request.user,
            standard=self.standard,
            label=form.cleaned_data["label"].strip(),
            clauses=form.clauses,
            based_on=form.cleaned_data["based_on"],
            source=form.cleaned_data["file"].name[:200],
        )
        messages.success(
            self.request,
            _("Version %(label)s imported with %(n)s clause(s).")
            % {"label": version.label, "n": len(form.clauses)},
        )
        return version


# --- One version -------------------------------------------------------------------


class VersionDetailView(VersionMixin, TemplateView):
    template_name = "consultations/admin/version_detail.html"
    permission_required = None
    any_permission_required = ["change", "view"]

    def get_page_title(self):
        return _("Version %(label)s") % {"label": self.version.label}

    def trail(self):
        return super().trail()[:-1]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.version
        group = version.standard.working_group
        clauses = list(version.clauses.order_by("order", "pk"))
        try:
            zone = zoneinfo.ZoneInfo(group.reference_time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = timezone.get_default_timezone()
        now = timezone.now()
        periods = [
            {"period": period, "state": PeriodState(period.state(now)).label}
            for period in version.consultations.order_by("round_number")
        ]
        editable = version.is_editable
        context.update(
            version=version,
            group=group,
            zone=zone.key,
            editable=editable,
            clauses=[
                {
                    "clause": clause,
                    "edit_url": url("clause_edit", version.pk, clause.pk),
                    "delete_url": url("clause_delete", version.pk, clause.pk),
                    "first": i == 0,
                    "last": i == len(clauses) - 1,
                }
                for i, clause in enumerate(clauses)
            ],
            periods=periods,
            move_url=url("clause_move", version.pk),
            add_clause_url=url("clause_add", version.pk),
            renumber_url=url("renumber", version.pk),
            start_url=f"{url('start', version.standard_id)}?based_on={version.pk}",
            import_url=f"{url('import', version.standard_id)}?based_on={version.pk}",
            schedule_url=url("schedule", version.pk),
            publish_url=url("publish", version.pk),
            can_schedule=version.status in (VersionStatus.DRAFTING, VersionStatus.CONSULTATION),
            can_publish=version.status in (VersionStatus.DRAFTING, VersionStatus.CONSULTATION),
        )
        return context


class VersionPublishView(ConfirmView):
    confirm_label = gettext_lazy("Yes, publish this version")
    page_title = gettext_lazy("Publish version")

    def get_question(self):
        return _(
            "Publish version %(label)s of %(standard)s? It becomes the version in force, and "
            "the version in force until now is superseded."
        ) % {"label": self.version.label, "standard": self.version.standard}

    def perform(self):
        services.version_publish(actor=self.request.user, version=self.version)
        return _("Version %(label)s published.") % {"label": self.version.label}


class ScheduleView(VersionMixin, ServiceFormView):
    template_name = FORM_TEMPLATE
    form_class = forms.ScheduleForm
    page_title = gettext_lazy("Schedule a comment period")
    submit_button_label = gettext_lazy("Schedule")
    error_message = gettext_lazy("The comment period was not scheduled; see the errors below.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.version.standard.working_group}

    def get_context_data(self, **kwargs):
        group = self.version.standard.working_group
        context = super().get_context_data(**kwargs)
        context["intro"] = _(
            "Times are in %(zone)s, the reference time zone of %(group)s. Public rounds in this "
            "group last at least %(days)s days."
        ) % {
            "zone": context["form"].zone.key,
            "group": group.name,
            "days": group.min_public_consultation_days,
        }
        return context

    def call_service(self, form):
        data = form.cleaned_data
        period = services.consultation_schedule(
            actor=self.request.user,
            version=self.version,
            audience=data["audience"],
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            instructions=data["instructions"],
            short_round_justification=data["short_round_justification"],
        )
        messages.success(
            self.request,
            _("Round %(round)s on version %(label)s is scheduled.")
            % {"round": period.round_number, "label": self.version.label},
        )
        return period

    def success(self, period):
        return HttpResponseRedirect(self.detail_url)
