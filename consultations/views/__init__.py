"""Consultation pages. Each view parses with a form, calls one service, and shows
the service's refusal on the form; reads go through consultations.selectors."""

from .commenting import clause_comments, comment_edit, comment_withdraw, consultation_detail
from .matrix import matrix_export, matrix_import
from .resolution import dispose, dispose_bulk, extend, report, report_publish, resolution
from .standards import standard_detail, standard_redline

__all__ = [
    "clause_comments",
    "comment_edit",
    "comment_withdraw",
    "consultation_detail",
    "dispose",
    "dispose_bulk",
    "extend",
    "matrix_export",
    "matrix_import",
    "report",
    "report_publish",
    "resolution",
    "standard_detail",
    "standard_redline",
]
