"""The translator's screen in the Wagtail admin: per working group, every text and its
state in French and Swahili; one text at a time, the English source beside the draft,
with the glossary's terms that the source uses. Changes go through
governance.services.translations (permission, transaction, audit)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from guardian.shortcuts import get_objects_for_user
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from .. import permissions, translation_files, translations
from ..models import WorkingGroup
from ..services import translations as services

LIST_URL = "governance_translations"
EDIT_URL = "governance_translation_edit"
EXPORT_URL = "governance_translations_export"
IMPORT_URL = "governance_translations_import"


def translatable_groups(user):
    if permissions.is_platform_admin(user):
        return WorkingGroup.objects.all()
    return get_objects_for_user(
        user, "governance.translate_texts", klass=WorkingGroup, accept_global_perms=False
    )


def may_use(user) -> bool:
    return bool(user.is_authenticated) and translatable_groups(user).exists()


class TranslationListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "governance/admin/translations.html"
    page_title = gettext_lazy("Translations")
    header_icon = "globe"

    def dispatch(self, request, *args, **kwargs):
        if not may_use(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = list(translatable_groups(self.request.user))
        names = dict(settings.LANGUAGES)
        context["languages"] = [(code, names[code]) for code in services.TARGETS]
        context["rows"] = translations.overview(groups, services.TARGETS)
        context["groups"] = groups
        return context


@require_GET
def export_file(request):
    """A PO file of one language's texts still to do (or all of them), for translators
    who work offline; optionally one working group's only."""
    if not may_use(request.user):
        raise PermissionDenied
    language = request.GET.get("language", "")
    if language not in services.TARGETS:
        raise Http404
    groups = translatable_groups(request.user)
    name = "all"
    if request.GET.get("group"):
        groups = groups.filter(pk=request.GET["group"]) if request.GET["group"].isdigit() else []
        if not groups:
            raise Http404
        name = groups[0].slug
    data = translation_files.export(
        list(groups), language, todo_only=request.GET.get("which") != "all"
    )
    response = HttpResponse(data, content_type="text/x-gettext-translation; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chaintable-{name}-{language}.po"'
    return response


class TranslationImportView(WagtailAdminTemplateMixin, TemplateView):
    """A translator's PO file back: its translations become drafts (all or nothing)."""

    template_name = "governance/admin/translations_import.html"
    page_title = gettext_lazy("Import translations")
    header_icon = "globe"

    def dispatch(self, request, *args, **kwargs):
        if not may_use(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose the PO file to import."))
            if upload.size > translation_files.MAX_FILE_BYTES:
                raise translation_files.too_large()
            language, entries = translation_files.read(upload.read())
            changed = services.translations_import(
                actor=request.user, language=language, entries=entries
            )
        except (PermissionDenied, ValidationError) as refused:
            problems = getattr(refused, "messages", None) or [str(refused)]
            return self.render_to_response(self.get_context_data(problems=problems), status=400)
        messages.success(
            request,
            ngettext(
                "%(count)s translation saved as a draft for the secretariat to approve.",
                "%(count)s translations saved as drafts for the secretariat to approve.",
                changed,
            )
            % {"count": changed},
        )
        return redirect(reverse(LIST_URL))


class TranslationEditView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "governance/admin/translation_edit.html"
    page_title = gettext_lazy("Translate")
    header_icon = "globe"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            model = ContentType.objects.get_for_id(kwargs["ct"]).model_class()
            self.record = model._default_manager.get(pk=kwargs["pk"])
        except (ContentType.DoesNotExist, AttributeError, model.DoesNotExist) as missing:
            raise Http404 from missing
        self.field, self.language = kwargs["field"], kwargs["language"]
        if self.field not in translations.fields_of(self.record):
            raise Http404
        if self.language not in services.TARGETS:
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_translate(request.user, services.owning_group(self.record)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = translations.rows_for(self.record, self.language)
        row = rows.get(self.field)
        source = getattr(self.record, f"{self.field}_{services.SOURCE}") or ""
        context.update(
            record=self.record,
            field=self.field,
            language=self.language,
            language_name=dict(settings.LANGUAGES)[self.language],
            source=source,
            approved=getattr(self.record, f"{self.field}_{self.language}") or "",
            row=row,
            status=services.status_of(self.record, self.field, self.language, rows),
            draft=kwargs.get("draft") or (row.draft if row else ""),
            glossary=[
                (english, {"fr": french, "sw": swahili}[self.language])
                for english, french, swahili in translations.glossary_terms_in(source)
            ],
            may_approve=permissions.can_approve_translations(
                self.request.user, services.owning_group(self.record)
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        target = dict(record=self.record, field=self.field, language=self.language)
        try:
            if request.POST.get("action") == "approve":
                services.translation_approve(actor=request.user, **target)
                messages.success(request, _("Translation approved: readers see it now."))
            else:
                services.translation_draft(
                    actor=request.user, text=request.POST.get("text", ""), **target
                )
                messages.success(request, _("Draft saved. The secretariat approves it."))
        except (PermissionDenied, ValidationError) as refused:
            for message in getattr(refused, "messages", None) or [str(refused)]:
                messages.error(request, message)
            kwargs["draft"] = request.POST.get("text", "")
            return self.render_to_response(self.get_context_data(**kwargs), status=400)
        return redirect(reverse(EDIT_URL, kwargs=kwargs))
