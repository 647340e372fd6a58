"""Forms for the consultation pages. They parse and render; services decide and save.

Rules the services hold (the window, who may comment, a clause of another
version, lengths after sanitising) are left to them, so every way in gives the
same answer; the forms only check the shape of the input.
"""

import uuid

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from . import resolution_matrix
from .models import Clause, CommentType, DispositionDecision
from .selectors import DISPOSED, UNDISPOSED

MAX_IMPORT_BYTES = resolution_matrix.MAX_FILE_BYTES  # the same limit for CSV and XLSX
GENERAL = "general"


def add_service_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal next to the field it is about, or above the form."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You are not allowed to do this."))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class Form(forms.Form):
    """Labels without a trailing colon (they sit above their fields), and an error
    summary with an id of its own (several forms share a page)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def errors_id(self) -> str:
        auto_id = self.auto_id if isinstance(self.auto_id, str) else "id_%s"
        return auto_id.replace("%s", "errors") if "%s" in auto_id else f"{auto_id}errors"


# --- commenting ----------------------------------------------------------------


def _type_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Type of comment"),
        choices=CommentType.choices,
        initial=CommentType.GENERAL,
        widget=forms.RadioSelect(attrs={"class": "choices-inline"}),
    )


def _body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=True,
        error_messages={"required": _("Write your comment.")},
    )


def _proposal_field() -> forms.CharField:
    return forms.CharField(
        label=_("Proposed change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: the wording you would like instead."),
    )


def _paragraph_field():
    return forms.CharField(
        label=_("Paragraph / figure / table"),
        max_length=100,
        required=False,
        help_text=_("Optional, e.g. “second paragraph” or “Table 2”."),
    )


class CommentForm(Form):
    """A new comment on one clause (or on the draft in general, with no clause).

    The clause is any clause id: whether it belongs to the draft under comment is
    the service's rule. The idempotency key is made when the form is shown, so a
    double submit of the same form gives one comment.
    """

    clause = forms.ModelChoiceField(
        queryset=Clause.objects.all(), required=False, widget=forms.HiddenInput
    )
    comment_type = _type_field()
    body = _body_field()
    proposed_change = _proposal_field()
    paragraph = _paragraph_field()
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, clause: Clause | None = None, **kwargs):
        if not kwargs.get("data") and not args:
            kwargs.setdefault("initial", {})
            kwargs["initial"].setdefault("clause", clause.pk if clause else None)
            kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        key = clause.key if clause else GENERAL
        kwargs.setdefault("auto_id", f"comment-{key}-%s")
        super().__init__(*args, **kwargs)


class CommentEditForm(Form):
    """Editing one's own comment: the clause can change within the same draft."""

    clause = forms.ModelChoiceField(
        label=_("Clause"),
        queryset=Clause.objects.none(),
        required=False,
        empty_label=_("General comment (no clause)"),
    )
    comment_type = _type_field()
    body = _body_field()
    proposed_change = _proposal_field()
    paragraph = _paragraph_field()

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = Clause.objects.filter(version=version).order_by("order")


class ConfirmForm(Form):
    """No fields: a confirmation button, and a place for the service's refusal."""


# --- resolving -----------------------------------------------------------------


class DispositionForm(Form):
    """The group's answer to one comment. `resulting_clauses` are the clauses of later
    versions, read once for the whole table (a model choice field would query per row)."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("", "—"), *DispositionDecision.choices]
    )
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the group's response to the comment.")},
    )
    resulting_clause = forms.TypedChoiceField(
        label=_("Resulting clause"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Optional: the clause of a later version this comment led to."),
    )

    def __init__(self, *args, resulting_clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._clauses = {clause.pk: clause for clause in resulting_clauses}
        self.fields["resulting_clause"].choices = [("", _("None"))] + [
            (clause.pk, f"{clause.version.label} · {clause.number} {clause.heading}")
            for clause in resulting_clauses
        ]

    def clean_resulting_clause(self):
        pk = self.cleaned_data.get("resulting_clause")
        return self._clauses.get(pk) if pk else None


class CommentIdsField(forms.Field):
    """Several comment ids from checkboxes; which of them the period holds is the
    service's question."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Select at least one comment."),
        "invalid": _("The selection is not valid."),
    }

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        try:
            return sorted({int(v) for v in value})
        except (TypeError, ValueError) as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class BulkDispositionForm(Form):
    comments = CommentIdsField(label=_("Selected comments"))
    decision = forms.ChoiceField(
        label=_("Decision for the selected comments"),
        choices=[("", "—"), *DispositionDecision.choices],
    )
    response = forms.CharField(
        label=_("Response to the selected comments"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the group's response to the comments.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "bulk-%s")
        super().__init__(*args, **kwargs)


class PublishForm(Form):
    summary = forms.CharField(
        label=_("Summary of the report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: a few sentences that open the published synopsis."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "publish-%s")
        super().__init__(*args, **kwargs)


class ExtendForm(Form):
    closes_at = forms.DateTimeField(
        label=_("New closing time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Participants are told, and it is kept in the public record."),
        error_messages={"required": _("Give the reason for extending or reopening the period.")},
    )

    def __init__(self, *args, time_zone_name: str = "", **kwargs):
        kwargs.setdefault("auto_id", "extend-%s")
        super().__init__(*args, **kwargs)
        if time_zone_name:
            self.fields["closes_at"].help_text = _("In your time zone (%(zone)s).") % {
                "zone": time_zone_name
            }


class ResolutionFilterForm(Form):
    """The table's filters, read from the query string; bad values are ignored."""

    clause = forms.ChoiceField(label=_("Clause"), required=False)
    comment_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *CommentType.choices]
    )
    chamber = forms.TypedChoiceField(
        label=_("Chamber"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All comments")),
            (UNDISPOSED, _("Not yet resolved")),
            (DISPOSED, _("Resolved")),
        ],
    )

    def __init__(self, *args, clauses=(), chambers=(), **kwargs):
        kwargs.setdefault("auto_id", "filter-%s")
        super().__init__(*args, **kwargs)
        self.fields["clause"].choices = [
            ("", _("All clauses")),
            (GENERAL, _("General comments")),
            *[(str(c.pk), f"{c.number} {c.heading}") for c in clauses],
        ]
        self.fields["chamber"].choices = [("", _("All chambers"))] + [
            (c.pk, c.name) for c in chambers
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "clause": data.get("clause") or "",
            "comment_type": data.get("comment_type") or "",
            "chamber": data.get("chamber"),
            "status": data.get("status") or "",
        }


# --- import --------------------------------------------------------------------


class MatrixImportForm(Form):
    file = forms.FileField(
        label=_("Comment template (.xlsx or .csv)"),
        help_text=_(
            "The ISO comment template, one comment a row, as an Excel workbook or a UTF-8 CSV "
            "file. At most 5 MB. The secretariat's observations (“Accepted: …”) come back as "
            "dispositions. Every row is checked; nothing is imported unless all rows are valid."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {
                    "size": round(upload.size / (1024 * 1024), 1),
                    "limit": MAX_IMPORT_BYTES // (1024 * 1024),
                }
            )
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        return upload


# --- redline -------------------------------------------------------------------


class RedlineForm(Form):
    """Two versions of a standard, by label, from the query string (?from=…&to=…)."""

    def __init__(self, *args, labels=(), **kwargs):
        kwargs.setdefault("auto_id", "redline-%s")
        super().__init__(*args, **kwargs)
        choices = [(label, label) for label in labels]
        self.fields["from"] = forms.ChoiceField(label=_("Compare version"), choices=choices)
        self.fields["to"] = forms.ChoiceField(label=_("with version"), choices=choices)
