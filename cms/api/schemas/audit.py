"""The audit chain's head and the hash of any entry: enough to keep copies and later
show the history was not rewritten (docs/audit.md). Never an entry's content."""

from datetime import datetime

from ninja import Schema


class AuditHeadOut(Schema):
    sequence: int  # the last entry's number (0: the log is empty)
    hash: str  # its SHA-256, which covers every entry before it
    recorded_at: datetime | None  # when the last entry was recorded
    verified: bool  # whether the whole chain verified at `checked_at`
    checked_at: datetime


class AuditEntryHashOut(Schema):
    sequence: int
    hash: str
    prev_hash: str
