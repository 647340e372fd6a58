"""The live side of discussion threads: one WebSocket per thread at /ws/threads/<id>/.

The consumer is thin. It authenticates through the session (AuthMiddlewareStack),
authorises through the same predicates as the pages (services.discussions), relays
the events that services broadcast after commit, and hands posts to the posting
service. Protocol (JSON text frames):

client → server
  {"type": "hello", "last_seq": n}      replay everything after stream number n, then
                                        {"type": "caught_up", "last_seq": m}
                                        (or {"type": "more", ...}: send hello again)
  {"type": "post", "body": "…", "key": "idempotency key"}
                                        → {"type": "ack", "key", "sequence", "held"}
                                        or {"type": "error", "key", "code", "message"}
  {"type": "ping"}                      → {"type": "pong"}

server → client
  {"type": "message.created" | "message.edited" | "message.hidden" | "message.deleted",
   "message": {...}}                    see discussion_events.message_payload
  {"type": "presence", "count": n, "names": [...]}   names for members only

Close codes: 4400 malformed frame or unknown type, 4413 frame over 8 KB,
4429 too many frames, 4403 no (longer any) access, 4503 live updates unavailable
(Redis unreachable: reconnect with backoff; the replay catches up).

Access is checked on connect and for every frame the client sends. While connected,
changes made through the site reach the socket at once: every signed-in socket
listens on its person's group (governance.events.person_group), where a session's
end (logging out, someone else signing in on that browser, governance.sessions), a
password or account change (also the admin's bulk actions on people) and a change
of roles or seats are announced; a socket
whose session logged out closes with 4403, the others check again. Anything else (a
session deleted in the database, or expired) is caught by a periodic check every
DISCUSSION_RECHECK_SECONDS (default 300), run beside the relaying so that hundreds of
sockets never queue for the database together; with 0 every event waits for a check.
Idle sockets are looked at every DISCUSSION_TICK_SECONDS (default 15).
"""

import asyncio
import functools
import json
import logging
import random
import time
from collections import deque
from dataclasses import dataclass
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections

from governance import two_factor
from governance.events import person_group, session_digest
from governance.ratelimit import RateLimited
from governance.sockets import CLOSE_TRY_AGAIN, SafeSocketMixin

from . import discussion_events as events
from .models import Thread
from .services import discussions as services
from .text import written_language

logger = logging.getLogger(__name__)

MAX_FRAME_BYTES = 8 * 1024
REPLAY_LIMIT = 500
FRAME_LIMIT, FRAME_WINDOW = 60, 10.0  # frames per connection per window (seconds)

CLOSE_MALFORMED = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_TOO_BIG = 4413
CLOSE_TOO_MANY = 4429


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def in_db_thread(func):
    """Run `func` in the thread that Django's sync code shares (thread_sensitive), and
    close connections past CONN_MAX_AGE inside the call, where `func` opened them (the
    wrapper's own clean-up was seen to miss them under pytest with asgiref 3.13).
    One thread, not a pool: measured with bench/ws_fanout.py, spreading re-checks and
    posts over the executor's threads made posting an order of magnitude slower (they
    fight over the GIL with the event loop and over the thread and audit-log locks)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        finally:
            close_old_connections()

    return database_sync_to_async(run, thread_sensitive=True)


presence_summary = sync_to_async(events.presence.summary, thread_sensitive=False)


# --- Who is on the other end ---------------------------------------------------------


@dataclass(frozen=True)
class Access:
    """What the consumer knows about its reader; read afresh on every check."""

    user: object
    read: bool = False
    member: bool = False  # sees the names of who else is viewing


def _signed_in_user(session_key: str | None, user_id: int | None):
    """The person the socket's session still belongs to: anonymous once they log out
    (the session is flushed) or their password changes (the session hash no longer
    matches)."""
    if user_id is None or not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user = two_factor.session_user(store, auth.get_user(SimpleNamespace(session=store)))
    return user if user.is_authenticated and user.pk == user_id else AnonymousUser()


def _load_thread(thread_id: int) -> Thread | None:
    """The thread with what its permission checks read; kept for the socket's life."""
    try:
        return services.thread_get(thread_id)
    except Thread.DoesNotExist:
        return None


def _load_access(thread: Thread | None, session_key: str | None, user_id: int | None) -> Access:
    user = _signed_in_user(session_key, user_id)
    if thread is None or (user_id is not None and not user.is_authenticated):
        return Access(user)  # no such thread, or logged out since connecting
    read, member = services.thread_reader(user, thread)
    return Access(user, read, member)


def _first_look(thread_id: int, session_key: str | None, user_id: int | None):
    thread = _load_thread(thread_id)
    return thread, _load_access(thread, session_key, user_id)


def _page_language(scope) -> str:
    """The language of the page that opened the socket (`?lang=` on its URL, written by
    the server into the page): what messages posted through it are tagged with. Only a
    site language is taken; anything else falls back to the site's default."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    given = (query.get("lang") or [""])[0]
    codes = {code for code, _name in settings.LANGUAGES}
    return given if given in codes else written_language(settings.LANGUAGE_CODE)


# --- The consumer -----------------------------------------------------------------------


class ThreadConsumer(SafeSocketMixin, AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        """Channels closes stale database connections before every handler: a hop to
        the one shared sync thread per event and per socket. Every database call here
        goes through in_db_thread, which closes its own connections, so the hop is
        skipped; at 300 sockets it queued behind posting and dominated fan-out latency
        (bench/ws_fanout.py)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        self.thread_id = int(self.scope["url_route"]["kwargs"]["thread_id"])
        self.group = events.thread_group(self.thread_id)
        scope_user = self.scope.get("user")
        self.user_id = scope_user.pk if scope_user and scope_user.is_authenticated else None
        self.session_key = getattr(self.scope.get("session"), "session_key", None)
        self.language = _page_language(self.scope)
        self.closing = self.joined = False
        self.replayed_upto = None
        self.last_presence = None
        self.frames: deque[float] = deque()
        self.ticker = self.checking = None
        self.live_groups: list[str] = []
        # Sockets that arrived together should not all re-check at the same moment.
        self.recheck_every = _setting("DISCUSSION_RECHECK_SECONDS", 300) * random.uniform(0.8, 1.2)
        self.thread, self.access = await in_db_thread(_first_look)(
            self.thread_id, self.session_key, self.user_id
        )
        self.checked_at = time.monotonic()
        # Accept first, then close: a browser sees our code, not a failed handshake.
        await self.accept()
        if not self.access.read:
            await self._close(CLOSE_FORBIDDEN)
            return
        wanted = [self.group]
        if self.user_id is not None:
            wanted.append(person_group(self.user_id))
        try:
            for group in wanted:
                # Listed before it is added: whatever happens next, leave() discards it.
                self.live_groups.append(group)
                await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            logger.warning("thread %s: channel layer unavailable", self.thread_id, exc_info=True)
            await self._close(CLOSE_TRY_AGAIN)
            return
        self.joined = True
        user = self.access.user
        events.presence.join(
            self.thread_id,
            self.channel_name,
            user.pk if user.is_authenticated else None,
            user.public_name if user.is_authenticated else "",
        )
        summary = await presence_summary(self.thread_id)
        members, everyone = events.presence_frames(summary["count"], summary["names"])
        await self._send_presence(members if self.access.member else everyone)
        events.presence.changed(self.thread_id, self.channel_layer)
        self.ticker = asyncio.create_task(self._tick())

    async def disconnect(self, code):
        await self.leave()

    async def leave(self):
        """Out of presence and the groups, however the socket ends (SafeSocketMixin
        runs this again when the consumer stops, whatever stopped it)."""
        self.closing = True
        for task in (getattr(self, "ticker", None), getattr(self, "checking", None)):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if getattr(self, "joined", False):
            self.joined = False
            events.presence.leave(self.thread_id, self.channel_name)
            events.presence.changed(self.thread_id, self.channel_layer)
        await self.discard_groups(getattr(self, "live_groups", []))

    async def _close(self, code: int) -> None:
        if not self.closing:
            self.closing = True
            await self.close(code=code)

    # --- frames from the client ---

    async def receive(self, text_data=None, bytes_data=None):
        if self.closing:
            return
        raw = text_data.encode() if text_data is not None else bytes_data or b""
        if len(raw) > MAX_FRAME_BYTES:
            await self._close(CLOSE_TOO_BIG)
            return
        now = time.monotonic()
        self.frames.append(now)
        while self.frames and now - self.frames[0] > FRAME_WINDOW:
            self.frames.popleft()
        if len(self.frames) > FRAME_LIMIT:
            await self._close(CLOSE_TOO_MANY)
            return
        try:
            content = json.loads(raw)
        except ValueError:
            content = None
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self._close(CLOSE_MALFORMED)
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        handler = {"hello": self.on_hello, "post": self.on_post, "ping": self.on_ping}.get(
            content["type"]
        )
        if handler is None:
            await self._close(CLOSE_MALFORMED)
            return
        await handler(content)

    async def on_ping(self, content):
        await self.send_json({"type": "pong"})

    async def on_hello(self, content):
        after = content.get("last_seq", 0)
        if type(after) is not int or after < 0:
            await self._close(CLOSE_MALFORMED)
            return
        access, items = await in_db_thread(self._checked_replay)(after)
        if not await self._checked(access):
            return
        upto = after
        for cursor, text in items:
            upto = max(upto, cursor)
            await self.send(text_data=text)
        # Live events queued meanwhile that the replay already covered are dropped.
        self.replayed_upto = max(self.replayed_upto or 0, upto)
        done = len(items) < REPLAY_LIMIT
        await self.send_json({"type": "caught_up" if done else "more", "last_seq": upto})

    def _checked_replay(self, after: int) -> tuple[Access, list[tuple[int, str]]]:
        """Check access and read the replay in one trip to a database thread."""
        access = _load_access(self.thread, self.session_key, self.user_id)
        if not access.read:
            return access, []
        frames = []
        for message in services.replay(Thread(pk=self.thread_id), after, REPLAY_LIMIT):
            payload = events.message_payload(message)
            mine = self.user_id is not None and message.author_id == self.user_id
            kind = events.event_type(message, after=after)
            frames.append((payload["cursor"], events.reader_frame(kind, payload, mine=mine)))
        return access, frames

    async def on_post(self, content):
        body, key = content.get("body"), content.get("key", "")
        if not isinstance(body, str) or not isinstance(key, str) or len(key) > 64:
            await self._close(CLOSE_MALFORMED)
            return
        access, reply = await in_db_thread(self._checked_post)(body, key)
        # Only a full read of access renews the periodic check (see _checked_post).
        if access is None or await self._checked(access):
            await self.send_json({"key": key, **reply})

    def _checked_post(self, body: str, key: str) -> tuple[Access | None, dict | None]:
        """Post through the service, in one trip to a database thread. The session is
        read first (still signed in?); the service checks the right to post, which
        includes reading, so access is read in full only when it refuses. Returns the
        full access when it was read (None otherwise) and the reply."""
        user = _signed_in_user(self.session_key, self.user_id)
        if self.user_id is not None and not user.is_authenticated:
            return Access(user), None  # logged out since connecting
        try:
            message = services.message_post(
                actor=user,
                thread=Thread(pk=self.thread_id),
                body=body,
                idempotency_key=key,
                language=self.language,
            )
        except services.NoticeRequired as error:
            return None, {"type": "error", "code": "notice_required", "message": str(error)}
        except PermissionDenied as error:
            access = _load_access(self.thread, self.session_key, self.user_id)
            return access, {"type": "error", "code": "forbidden", "message": str(error)}
        except RateLimited as error:
            reply = {"type": "error", "code": "too_many", "retry_after": error.retry_after}
            return None, {**reply, "message": " ".join(error.messages)}
        except ValidationError as error:
            return None, {"type": "error", "code": "invalid", "message": " ".join(error.messages)}
        reply = {"type": "ack", "sequence": message.sequence, "held": message.is_pending}
        if message.is_pending:
            reply["message"] = services.held_notice(message)
        return None, reply

    # --- events from the channel layer ---

    async def message_created(self, event):
        await self._relay(event)

    async def message_edited(self, event):
        await self._relay(event)

    async def message_hidden(self, event):
        await self._relay(event)

    async def message_deleted(self, event):
        await self._relay(event)

    async def presence_changed(self, event):
        if await self._allowed():
            await self._send_presence(event["text_members" if self.access.member else "text"])

    async def _relay(self, event):
        """Pass a message event on, unless the replay already gave this state. The
        frame was serialised once by the service, for the author and for everyone."""
        if not await self._allowed():
            return
        if self.replayed_upto is not None and event["cursor"] <= self.replayed_upto:
            return
        mine = self.user_id is not None and event["author_id"] == self.user_id
        await self.send(text_data=event["text_mine" if mine else "text"])

    async def _send_presence(self, text: str) -> None:
        if not self.closing and text != self.last_presence:
            self.last_presence = text
            await self.send(text_data=text)

    # --- keeping access current ---

    async def access_changed(self, event):
        """Pushed to the person's sockets (see governance.events.access_changed)."""
        ended = event.get("ended_session")
        if ended and self.session_key and ended == session_digest(self.session_key):
            await self._close(CLOSE_FORBIDDEN)
        else:
            await self._recheck()

    async def _allowed(self) -> bool:
        """Before relaying: still allowed, as far as the last check knows? Starts a new
        check when the last one is older than the interval (see the module doc)."""
        if self.closing:
            return False
        if time.monotonic() - self.checked_at < self.recheck_every:
            return True
        if self.recheck_every <= 0:
            return await self._recheck()
        if self.checking is None or self.checking.done():
            self.checking = asyncio.create_task(self._recheck())
        return True

    async def _recheck(self) -> bool:
        if self.closing:
            return False
        access = await in_db_thread(_load_access)(self.thread, self.session_key, self.user_id)
        return await self._checked(access)

    async def _checked(self, access: Access) -> bool:
        """Keep a fresh check's result, or close the socket if access was lost."""
        self.checked_at = time.monotonic()
        if not access.read:
            await self._close(CLOSE_FORBIDDEN)
            return False
        self.access = access
        return True

    async def _tick(self):
        """Idle sockets are re-checked too, and the process's presence list is kept alive."""
        interval = max(_setting("DISCUSSION_TICK_SECONDS", 15), 0.2)
        await asyncio.sleep(interval * random.uniform(0, 1))
        while not self.closing:
            try:
                stale = time.monotonic() - self.checked_at >= self.recheck_every
                if stale and not await self._recheck():
                    return
                events.presence.touch(self.thread_id, self.channel_name)
                if events.presence.due(self.thread_id):
                    events.presence.changed(self.thread_id, self.channel_layer)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("thread %s: periodic check failed", self.thread_id, exc_info=True)
            await asyncio.sleep(interval)
