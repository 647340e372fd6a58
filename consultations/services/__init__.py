"""Every change to standards, drafts, comment periods and comments goes through here.

Each service checks permission (governance.permissions), validates, runs in one
transaction, appends to the audit log, and leaves notifications for after commit.
"""

from .commenting import comment_edit, comment_post, comment_withdraw, comments_import
from .drafting import (
    clause_delete,
    clause_save,
    clauses_reorder,
    standard_save,
    version_import,
    version_publish,
    version_renumber,
    version_start,
)
from .periods import consultation_extend, consultation_schedule
from .resolution import comment_dispose, comments_dispose_bulk, report_publish

__all__ = [
    "clause_delete",
    "clause_save",
    "clauses_reorder",
    "comment_dispose",
    "comment_edit",
    "comment_post",
    "comment_withdraw",
    "comments_dispose_bulk",
    "comments_import",
    "consultation_extend",
    "consultation_schedule",
    "report_publish",
    "standard_save",
    "version_import",
    "version_publish",
    "version_renumber",
    "version_start",
]
