"""Live events of discussion threads, sent after the transaction commits.

Group names are built here, on the server: `thread.<id>`. Each event carries one
message as it stands after the change, in fields that are safe to show as text:
the author's public name (never an email address), the body as plain text (empty
once hidden or deleted) and times in ISO 8601.

The frames for readers are serialised here, once per event (`text`, and `text_mine`
for the author, whose copy says "mine": true), so that a consumer relaying to one of
hundreds of sockets only picks a string. `author_id` and `cursor` are for consumers;
they do not pass them on.
"""

import asyncio
import json
import logging
import os
import threading
import time
import uuid

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches

from governance.events import broadcast_after_commit

logger = logging.getLogger(__name__)

CREATED = "message.created"
EDITED = "message.edited"
HIDDEN = "message.hidden"
DELETED = "message.deleted"
PRESENCE = "presence.changed"


def thread_group(thread_id: int) -> str:
    return f"thread.{thread_id}"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def message_payload(message) -> dict:
    """A message as clients see it. `cursor` is the stream number of its current state."""
    shown = not (message.hidden_at or message.deleted_at)
    return {
        "id": message.pk,
        "sequence": message.sequence,
        "cursor": message.changed_seq or message.sequence,
        "author": message.author.public_name,
        "body": message.body if shown else "",
        "language": message.language,
        "created_at": _iso(message.created_at),
        "edited_at": _iso(message.edited_at),
        "hidden": bool(message.hidden_at),
        "deleted": bool(message.deleted_at),
    }


def event_type(message, *, after: int) -> str:
    """The event that brings a client that has seen up to `after` to the message's state."""
    if message.sequence > after:
        return CREATED
    if message.deleted_at:
        return DELETED
    if message.hidden_at:
        return HIDDEN
    return EDITED


def reader_frame(kind: str, payload: dict, *, mine: bool) -> str:
    return json.dumps({"type": kind, "message": {**payload, "mine": mine}})


def _send(kind: str, message) -> None:
    # The payload is taken now, inside the transaction, and only leaves after commit:
    # a rolled-back change never reaches a screen.
    payload = message_payload(message)
    event = {
        "type": kind,
        "thread": message.thread_id,
        "cursor": payload["cursor"],
        "author_id": message.author_id,
        "message": payload,
        "text": reader_frame(kind, payload, mine=False),
        "text_mine": reader_frame(kind, payload, mine=True),
    }
    broadcast_after_commit(thread_group(message.thread_id), lambda: event)


def message_created(message) -> None:
    _send(CREATED, message)


def message_edited(message) -> None:
    _send(EDITED, message)


def message_hidden(message) -> None:
    _send(HIDDEN, message)


def message_deleted(message) -> None:
    _send(DELETED, message)


# --- Presence: who is viewing a thread ---------------------------------------------------
# Each ASGI process knows exactly who views a thread through it (`PresenceBoard.local`).
# It publishes that list to the cache under its own key, debounced and refreshed, and
# reads the other processes' lists: exact within one process, best effort across
# several (a process that dies stops refreshing and its list expires). Changes reach
# viewers as one group event per thread per debounce period, never one per arrival.

PRESENCE_NAMES_SHOWN = 30  # a crowd is summed up, not listed


def presence_frames(count: int, names: list[str]) -> tuple[str, str]:
    """The presence frame for members (with names) and for everyone else (count only)."""
    for_members = {"type": "presence", "count": count, "names": names[:PRESENCE_NAMES_SHOWN]}
    return json.dumps(for_members), json.dumps({"type": "presence", "count": count})


class PresenceBoard:
    """Each viewer is kept with the time its socket last said it is alive (on joining
    and at every tick of the socket, DISCUSSION_TICK_SECONDS), and counts only while
    that is younger than TTL: a socket that died without cleaning up (its process's
    event loop stalled, a bug) stops counting within a minute instead of haunting
    the thread. The process's published list expires the same way."""

    DEBOUNCE = 0.5  # seconds between two broadcasts for one thread from one process
    REFRESH = 15  # seconds between re-publications of an unchanged list
    TTL = 45  # a viewer, or a process's list, counts this long after its last sign of life

    def __init__(self):
        self._pid = self._process = None
        # thread → {channel: (person id, name, last sign of life)}
        self.local: dict[int, dict[str, tuple]] = {}
        self.published_at: dict[int, float] = {}
        self.pending: dict[int, asyncio.Task] = {}  # thread → the debounced announcement
        self.lock = threading.Lock()
        self._store = self._store_settings = None

    @property
    def process(self) -> str:
        """This process's name in the shared lists. Named on first use, and again after
        a fork: workers forked from one parent (daphne's or gunicorn's preloading) would
        otherwise share a name and each count only its own viewers."""
        if self._pid != os.getpid():
            self._pid, self._process = os.getpid(), uuid.uuid4().hex[:12]
        return self._process

    @property
    def store(self):
        """One cache client for the process, shared by the worker threads that read and
        publish presence. Django's `cache` belongs to an async context, so every socket
        would otherwise open (and drop) its own connection to Redis."""
        if self._store is None or self._store_settings is not settings.CACHES:
            self._store = caches.create_connection(DEFAULT_CACHE_ALIAS)
            self._store_settings = settings.CACHES
        return self._store

    def join(self, thread_id: int, channel: str, person_id: int | None, name: str) -> None:
        self.local.setdefault(thread_id, {})[channel] = (person_id, name, time.monotonic())

    def touch(self, thread_id: int, channel: str) -> None:
        """The socket on `channel` is still there."""
        entry = self.local.get(thread_id, {}).get(channel)
        if entry is not None:
            self.local[thread_id][channel] = (*entry[:2], time.monotonic())

    def _alive(self, thread_id: int) -> list[tuple]:
        """This process's viewers of a thread, the silent ones dropped."""
        viewers = self.local.get(thread_id, {})
        horizon = time.monotonic() - self.TTL
        for channel in [c for c, entry in viewers.items() if entry[2] < horizon]:
            logger.warning("presence: dropped a silent viewer of thread %s", thread_id)
            viewers.pop(channel, None)
        if not viewers:
            self.local.pop(thread_id, None)
        return [(person_id, name) for person_id, name, _seen in viewers.values()]

    def leave(self, thread_id: int, channel: str) -> None:
        viewers = self.local.get(thread_id, {})
        viewers.pop(channel, None)
        if not viewers:
            self.local.pop(thread_id, None)

    def summary(self, thread_id: int, *, publish: bool = False) -> dict:
        """Everyone viewing, from this process's list and the others' published ones;
        with `publish`, this process's list is written first. Blocking: run in a thread."""
        base = f"discussion:presence:{thread_id}"
        mine = self._alive(thread_id)
        viewers = list(mine)
        try:
            now = time.time()
            cache = self.store
            with self.lock:
                if publish:
                    cache.set(f"{base}:{self.process}", mine, timeout=self.TTL)
                    self.published_at[thread_id] = now
                processes = self._processes(f"{base}:processes", now, register=publish)
            others = [f"{base}:{p}" for p in processes if p != self.process]
            for entries in cache.get_many(others).values():
                viewers.extend(entries)
        except Exception:
            logger.warning("presence of thread %s not shared", thread_id, exc_info=True)
        people = {pid: name for pid, name in viewers if pid is not None}
        anonymous = sum(1 for pid, _name in viewers if pid is None)
        return {
            "count": len(people) + anonymous,
            "names": sorted(people.values(), key=str.lower),
        }

    REGISTER_ATTEMPTS = 3

    def _processes(self, key: str, now: float, *, register: bool) -> dict[str, float]:
        """The processes whose lists are alive, this one added when `register`. The
        cache has no atomic "add to set": two processes writing at once may drop one
        another, so a writer reads back and tries again (the periodic republication
        heals what is still lost)."""
        for _attempt in range(self.REGISTER_ATTEMPTS if register else 1):
            processes = {p: t for p, t in (self.store.get(key) or {}).items() if t > now}
            if not register or processes.get(self.process, 0) >= now + self.TTL - 1:
                return processes
            processes[self.process] = now + self.TTL
            self.store.set(key, processes, timeout=self.TTL)
        return processes

    def due(self, thread_id: int) -> bool:
        """Whether this process's list should be published again to stay alive."""
        return time.time() - self.published_at.get(thread_id, 0) > self.REFRESH

    def changed(self, thread_id: int, layer) -> None:
        """Publish and announce shortly, once for many changes. Call on the event loop."""
        loop = asyncio.get_running_loop()
        task = self.pending.get(thread_id)
        if task is not None and not task.done() and task.get_loop() is loop:
            return
        self.pending[thread_id] = loop.create_task(self._announce(thread_id, layer))

    async def _announce(self, thread_id: int, layer) -> None:
        await asyncio.sleep(self.DEBOUNCE)
        self.pending.pop(thread_id, None)
        summary = await sync_to_async(self.summary, thread_sensitive=False)(thread_id, publish=True)
        members, everyone = presence_frames(summary["count"], summary["names"])
        try:
            await layer.group_send(
                thread_group(thread_id),
                {"type": PRESENCE, "text_members": members, "text": everyone},
            )
        except Exception:
            logger.warning("presence of thread %s not sent", thread_id, exc_info=True)


presence = PresenceBoard()
