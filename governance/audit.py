"""The hash-chained audit log: append inside the caller's transaction, verify later."""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditChainHead, AuditEvent


class AuditJSONEncoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django encodes them; anything else (countries,
    lazy strings) by its text."""

    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def canonical(event: AuditEvent) -> bytes:
    """The bytes a hash covers: every field but the hashes, in a stable form."""
    body = {
        "sequence": event.sequence,
        "created_at": event.created_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "working_group_id": event.working_group_id,
        "is_public": event.is_public,
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder).encode()


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(event)).hexdigest()


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    payload: dict | None = None,
    working_group=None,
    public: bool = False,
    at: datetime.datetime | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records:
    the chain head row is locked until that transaction ends. `at`: when the change
    happened, for a service given `now=` (the demo replaying history); else now."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the change's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    # Round-trip the payload through JSON so the hash covers what the database stores.
    stored_payload = json.loads(json.dumps(payload or {}, cls=AuditJSONEncoder))
    event = AuditEvent(
        sequence=head.sequence + 1,
        # In UTC, as the database gives it back: the hash covers what is stored.
        created_at=at.astimezone(datetime.UTC) if at else timezone.now(),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        working_group=working_group,
        is_public=public,
        payload=stored_payload,
        prev_hash=head.hash,
    )
    event.hash = compute_hash(head.hash, event)
    event.save(force_insert=True)
    AuditChainHead.objects.filter(pk=1).update(sequence=event.sequence, hash=event.hash)
    return event


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    count: int
    broken_sequence: int | None = None
    reason: str = ""


def verify_chain(batch_size: int = 2000) -> ChainCheck:
    """Walk the chain in order; report the first event whose link or hash is wrong."""
    prev_hash, expected_sequence, count = GENESIS_HASH, 1, 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size):
        if event.sequence != expected_sequence:
            return ChainCheck(False, count, expected_sequence, "missing event")
        if event.prev_hash != prev_hash:
            return ChainCheck(False, count, event.sequence, "previous hash does not match")
        if compute_hash(prev_hash, event) != event.hash:
            return ChainCheck(False, count, event.sequence, "content does not match its hash")
        prev_hash, expected_sequence, count = event.hash, expected_sequence + 1, count + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head and (head.sequence != count or (count and head.hash != prev_hash)):
        return ChainCheck(False, count, count + 1, "events missing at the end of the chain")
    return ChainCheck(True, count)
