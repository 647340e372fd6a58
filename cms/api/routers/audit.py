"""The audit chain's head, and the hash of an entry by its number."""

from django.http import Http404
from ninja import Router

from governance import register

from ..params import id_path, one
from ..schemas.audit import AuditEntryHashOut, AuditHeadOut

router = Router(tags=["audit"])


@router.get("/audit/head", response={200: AuditHeadOut}, summary="Head of the audit chain")
def audit_head(request):
    """The last entry of the hash-chained governance log: its number, its hash (which
    covers every entry before it, public or not) and when it was recorded, with the
    result of the last full verification. Keep copies: if the log before an entry you
    kept were rewritten, that entry's hash would no longer verify (docs/audit.md)."""
    status = register.audit_chain_status()
    return {
        "sequence": status.head_sequence,
        "hash": status.head_hash,
        "recorded_at": status.head_recorded_at,
        "verified": status.ok,
        "checked_at": status.checked_at,
    }


@router.get(
    "/audit/entries/{sequence}",
    response=one(AuditEntryHashOut),
    summary="The hash of one audit entry",
)
def audit_entry(request, sequence: id_path("audit entry")):
    """The hash (and previous hash) the log holds today for entry `sequence`: compare it
    with a head you kept. Only the hashes: an entry's content may be private."""
    found = register.audit_entry_hash(sequence)
    if found is None:
        raise Http404
    return {"sequence": sequence, "hash": found[0], "prev_hash": found[1]}
