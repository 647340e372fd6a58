"""The ISO comment-resolution matrix: export (XLSX, CSV) and import (XLSX)."""

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import resolution_matrix, selectors, services
from ..forms import MatrixImportForm, add_service_error
from ..resolution_matrix import MatrixImportError
from ._common import may_manage, may_read, require_manage

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def matrix_export(request, pk, fmt):
    """The secretariat may export at any time; everyone who may read the period, once
    its report is published."""
    consultation = selectors.consultation_get(pk)
    public = consultation.report_published_at and may_read(request.user, consultation)
    if not (public or may_manage(request.user, consultation)):
        raise Http404
    rows = selectors.matrix_rows(consultation)
    version = consultation.version
    title = f"{version.standard.title} {version.label} round {consultation.round_number}"
    if fmt == "xlsx":
        data = resolution_matrix.export_xlsx(rows, title)
    else:
        data = resolution_matrix.export_csv(rows)
    name = f"{version.standard.slug}-{version.label}-round-{consultation.round_number}-comments"
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{_SAFE.sub('-', name)}.{fmt}"
    )
    return response


def matrix_import(request, pk):
    consultation = selectors.consultation_get(pk)
    refusal = require_manage(request, consultation, _("Only the secretariat imports comments."))
    if refusal:
        return refusal
    form = MatrixImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            parse = (
                resolution_matrix.parse_csv
                if upload.name.lower().endswith(".csv")
                else resolution_matrix.parse_xlsx
            )
            rows = parse(upload, valid_clauses=selectors.clause_numbers(consultation.version))
            result = services.comments_import(
                actor=request.user, consultation=consultation, rows=rows, filename=upload.name
            )
        except MatrixImportError as error:
            row_errors = [str(row_error) for row_error in error.errors]
        except (ValidationError, PermissionDenied) as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("%(n)s comment(s) imported from %(file)s.")
                % {"n": len(result.created), "file": upload.name},
            )
            if result.disposed:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s disposition brought back from the observations column.",
                        "%(n)s dispositions brought back from the observations column.",
                        len(result.disposed),
                    )
                    % {"n": len(result.disposed)},
                )
            if result.repeated_lines:
                messages.warning(
                    request,
                    ngettext(
                        "Row %(rows)s repeats a comment already in this comment period; "
                        "it was skipped.",
                        "Rows %(rows)s repeat comments already in this comment period; "
                        "they were skipped.",
                        len(result.repeated_lines),
                    )
                    % {"rows": ", ".join(map(str, result.repeated_lines))},
                )
            return redirect("consultations:resolution", pk=consultation.pk)
    return render(
        request,
        "consultations/import.html",
        {
            "consultation": consultation,
            "version": consultation.version,
            "standard": consultation.version.standard,
            "form": form,
            "row_errors": row_errors,
        },
        status=200,
    )
