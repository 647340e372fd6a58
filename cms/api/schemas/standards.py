"""Standards, versions, clauses, public comment periods and their comments."""

from datetime import datetime

from ninja import Schema

from .. import selectors
from .refs import GroupRef, StandardRef, VersionRef


class StandardOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    url: str
    working_group: GroupRef
    current_version: VersionRef | None
    versions: list[VersionRef]

    @staticmethod
    def resolve_url(obj) -> str:
        return selectors.standard_path(obj.slug)

    @staticmethod
    def resolve_current_version(obj):
        return next((v for v in obj.public_versions if v.status == "published"), None)

    @staticmethod
    def resolve_versions(obj):
        return obj.public_versions


class VersionOut(Schema):
    id: int
    label: str
    status: str
    status_label: str
    standard: StandardRef
    based_on: str | None  # the label of the version it was based on
    created_at: datetime
    published_at: datetime | None
    clause_count: int
    consultation_ids: list[int]  # its public comment periods

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_based_on(obj) -> str | None:
        base = obj.based_on
        return base.label if base is not None and base.status != "drafting" else None

    @staticmethod
    def resolve_consultation_ids(obj) -> list[int]:
        return [c.pk for c in obj.public_consultations]


class ClauseOut(Schema):
    id: int
    key: str
    number: str
    heading: str
    body: str
    level: int
    order: int
    version: VersionRef
    standard: StandardRef

    @staticmethod
    def resolve_standard(obj):
        return obj.version.standard


# --- Comment periods -----------------------------------------------------------------


class ConsultationOut(Schema):
    id: int
    url: str
    working_group: GroupRef
    standard: StandardRef
    version: VersionRef
    round_number: int
    state: str
    opens_at: datetime
    closes_at: datetime
    instructions: str
    report_published_at: datetime | None
    report_summary: str
    comment_count: int

    @staticmethod
    def resolve_url(obj) -> str:
        return selectors.consultation_path(obj.pk)

    @staticmethod
    def resolve_working_group(obj):
        return obj.version.standard.working_group

    @staticmethod
    def resolve_standard(obj):
        return obj.version.standard

    @staticmethod
    def resolve_state(obj) -> str:
        return str(obj.state())

    @staticmethod
    def resolve_report_summary(obj) -> str:
        return obj.report_summary if obj.report_published_at else ""


class DispositionOut(Schema):
    decision: str
    decision_label: str
    response: str

    @staticmethod
    def resolve_decision_label(obj) -> str:
        return str(obj.get_decision_display())


class CommentOut(Schema):
    id: int
    consultation_id: int
    clause_number: str | None  # None: a general comment
    clause_key: str | None
    paragraph: str
    type: str
    type_label: str
    commenter: str
    organisation_name: str
    chamber: str | None
    body: str
    proposed_change: str
    created_at: datetime
    disposition: DispositionOut | None  # once the period's report is published

    @staticmethod
    def resolve_clause_number(obj) -> str | None:
        return obj.clause.number if obj.clause_id else None

    @staticmethod
    def resolve_clause_key(obj) -> str | None:
        return obj.clause.key if obj.clause_id else None

    @staticmethod
    def resolve_type(obj) -> str:
        return obj.comment_type

    @staticmethod
    def resolve_type_label(obj) -> str:
        return str(obj.get_comment_type_display())

    @staticmethod
    def resolve_commenter(obj) -> str:
        return selectors.public_name(obj.commenter)

    @staticmethod
    def resolve_chamber(obj) -> str | None:
        return obj.chamber.name if obj.chamber_id else None

    @staticmethod
    def resolve_disposition(obj):
        return selectors.disposition(obj)
