"""Admin forms for drafting. They parse input and narrow choices to what the user may
touch; the services decide and save (see views)."""

import datetime
import os
import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from governance.forms.source_text import SourceTextFormMixin
from governance.models import WorkingGroup

from .. import draft_import
from ..models import Audience, Clause, DraftVersion, Standard
from .policies import drafting_group_ids

# Generous for a Word file with images; parse_docx and parse_markdown check their own
# limits on what the file holds.
MAX_UPLOAD_BYTES = draft_import.MAX_DOCX_BYTES
MARKDOWN_EXTENSIONS = (".md", ".markdown")
DOCX_EXTENSIONS = (".docx",)


class StandardForm(SourceTextFormMixin, WagtailAdminModelForm):
    """The owning group is chosen among the groups the user drafts for, and is fixed
    once the standard exists (standard_save refuses a move as well)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Empty: made from the title.")
        field = self.fields.get("working_group")
        if field is None:
            return
        field.queryset = WorkingGroup.objects.filter(pk__in=drafting_group_ids(self.for_user))
        if self.instance.pk:
            field.disabled = True
            field.queryset = WorkingGroup.objects.filter(pk=self.instance.working_group_id)
        elif not self.is_bound and len(choices := list(field.queryset[:2])) == 1:
            field.initial = choices[0].pk

    class Meta:
        model = Standard
        fields = ["title", "slug", "working_group", "summary"]


class ClauseForm(SourceTextFormMixin, forms.ModelForm):
    class Meta:
        model = Clause
        fields = ["number", "heading", "body", "level"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {
            "level": _(
                "1 for a top-level clause, 2 for a sub-clause, and so on; 0 for a preamble."
            ),
        }


def _versions_of(standard: Standard):
    return DraftVersion.objects.filter(standard=standard).order_by("-created_at")


class VersionStartForm(forms.Form):
    label = forms.CharField(label=_("Version label"), max_length=40)
    based_on = forms.ModelChoiceField(
        label=_("Based on"),
        queryset=DraftVersion.objects.none(),
        required=False,
        help_text=_("Its clauses are copied, with the keys that follow them between versions."),
    )

    def __init__(self, *args, standard: Standard, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on"].queryset = _versions_of(standard)


class DraftImportForm(VersionStartForm):
    file = forms.FileField(
        label=_("Draft file"),
        help_text=_(
            "A Markdown (.md) or Word (.docx) file, at most %(mb)s MB. Each heading starts a clause."
        )
        % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.docx"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on"].help_text = _(
            "Clauses with the same heading or number as one of this version keep its key."
        )

    def clean_file(self):
        """Parse the whole file here, so a bad file is a form error and nothing is created."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large; the limit is %(mb)s MB.")
                % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        extension = os.path.splitext(upload.name)[1].lower()
        try:
            if extension in MARKDOWN_EXTENSIONS:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError as exc:
                    raise forms.ValidationError(_("The Markdown file is not UTF-8 text.")) from exc
                self.clauses = draft_import.parse_markdown(text)
            elif extension in DOCX_EXTENSIONS:
                self.clauses = draft_import.parse_docx(upload)
            else:
                raise forms.ValidationError(_("Upload a Markdown (.md) or Word (.docx) file."))
        except draft_import.DraftImportError as exc:
            raise forms.ValidationError(exc.message) from exc
        return upload


class ZonedDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown in a given time zone (the working group's
    reference zone), whatever zone the person viewing the form is in."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def __init__(self, *, zone: zoneinfo.ZoneInfo, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        )
        super().__init__(**kwargs)
        self.zone = zone

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.make_naive(value, self.zone)
        return value

    def to_python(self, value):
        # DateTimeField makes the parsed value aware in the current zone.
        with timezone.override(self.zone):
            return super().to_python(value)


class ScheduleForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    instructions = forms.CharField(
        label=_("Instructions to commenters"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    short_round_justification = forms.CharField(
        label=_("Justification for a shorter round"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, group: WorkingGroup, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.zone = zoneinfo.ZoneInfo(group.reference_time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = timezone.get_default_timezone()
        zone_note = _("In %(zone)s time, the group's reference time zone.") % {
            "zone": self.zone.key
        }
        self.fields["opens_at"] = ZonedDateTimeField(
            label=_("Opens"), zone=self.zone, help_text=zone_note
        )
        self.fields["closes_at"] = ZonedDateTimeField(
            label=_("Closes"), zone=self.zone, help_text=zone_note
        )
        self.order_fields(
            ["audience", "opens_at", "closes_at", "instructions", "short_round_justification"]
        )
        self.fields["short_round_justification"].help_text = _(
            "Public rounds in %(group)s last at least %(days)s days. A shorter public round "
            "needs a justification, which is shown on the public page."
        ) % {"group": group.name, "days": group.min_public_consultation_days}
        if not self.is_bound:
            opens = timezone.localtime(timezone.now(), self.zone).replace(
                second=0, microsecond=0
            ) + datetime.timedelta(days=1)
            opens = opens.replace(hour=9, minute=0)
            self.initial.setdefault("opens_at", opens)
            self.initial.setdefault(
                "closes_at",
                opens + datetime.timedelta(days=group.min_public_consultation_days),
            )
