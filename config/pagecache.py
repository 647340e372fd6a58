"""Anonymous public pages from a shared cache, purged by any change of content.

Most readers of the public record are anonymous and see the same page: rendering it
again for each of them (20–35 ms of CPU per page) is what made a crowd slow. This
middleware keeps the rendered response, keyed by host, path, query and language, and
serves it to the next anonymous reader.

What is cached, and for whom, is decided on three sides:
- the request: a GET, anonymous, carrying no session or messages cookie (a
  person with per-person state, a flash message say, is always served fresh);
- the view: only views named in `CACHEABLE_VIEWS` (public pages, the API's reads,
  feeds, calendars, exports); live pages (a ballot's turnout, discussions, the
  register with the audit chain's head) and anything personal never are;
- the response: a 200 that sets no cookie, used no CSP nonce, and does not say
  `Cache-Control: private / no-cache / no-store` (a view's way to opt out).

Purging: every entry records the content generation it was rendered in, and any save
or delete of content (`content_changed`, connected in `cms.apps`) moves the
generation on (at once and after commit), so the next reader gets a fresh page. The few models a
vote or a live message writes are not content of cached pages and do not purge
(`IGNORED_MODELS`): a vote surge does not empty the cache. Entries also expire after
`PAGE_CACHE_SECONDS`, which bounds what only the clock changes ("closing soon").

Why not Django's per-site cache: it varies on the whole Cookie header, so every reader
with a CSRF or language cookie had a cache of their own, and it has no purge.
"""

import fnmatch
import hashlib
import logging

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils.cache import patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

GENERATION_KEY = "pagecache:generation"

# Views whose anonymous responses may be shared (view names, shell-style patterns).
CACHEABLE_VIEWS = (
    "wagtail_serve",
    "consultations:detail",
    "consultations:clause_comments",
    "consultations:report",
    "consultations:standard",
    "consultations:redline",
    "consultations:clause_history",
    "consultations:version_md",
    "consultations:balance",
    "membership:directory",
    "membership:admissions",
    "membership:profile",
    "membership:chain_map",
    "membership:contributions",
    "site:open_data",
    "feed_*",
    "calendar*",
    "export_decisions_*",
    "api-v1:api-root",
    "api-v1:openapi-json",
    "api-v1:working_group_*",
    "api-v1:chamber_list",
    "api-v1:organisation_*",
    "api-v1:standard_*",
    "api-v1:version_*",
    "api-v1:clause_*",
    "api-v1:consultation_*",
    "api-v1:comment_list",
    "api-v1:decision_*",
)

# Written by votes, live discussion, logins and the scheduler's bookkeeping: none of
# them is shown on a cached page (turnout and threads are live pages, never cached).
IGNORED_MODELS = frozenset(
    {
        "governance.termsync",
        "governance.auditevent",
        "governance.auditchainhead",
        "governance.participation",
        "governance.rollcallchoice",
        "governance.rollcallchoicerevision",
        "governance.secretchoice",
        "consultations.remindersent",
        "consultations.message",
        "consultations.thread",
        "consultations.competitionnoticeacknowledgement",
        "consultations.subscription",
        "dashboard.notification",
        "dashboard.digestsent",
        "sessions.session",
    }
)
IGNORED_APPS = frozenset({"axes", "otp_totp", "otp_static", "admin", "contenttypes"})


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def page_cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def is_view_cacheable(view_name: str | None) -> bool:
    return bool(view_name) and any(
        fnmatch.fnmatchcase(view_name, pattern) for pattern in CACHEABLE_VIEWS
    )


def request_is_anonymous_reader(request) -> bool:
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    user = getattr(request, "user", None)
    return user is None or not user.is_authenticated


def response_is_shareable(request, response) -> bool:
    if response.status_code != 200 or getattr(response, "streaming", False):
        return False
    if response.cookies:
        return False
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False  # the page's inline code carries a nonce only this response allows
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-cache", "no-store"))


def entry_key(request) -> str:
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    where = f"{request.get_host()}|{language}|{request.get_full_path()}"
    return "pagecache:entry:" + hashlib.sha256(where.encode()).hexdigest()


def bump_generation() -> None:
    """Every cached page is out of date from now on."""
    cache = page_cache()
    try:
        if not cache.add(GENERATION_KEY, 1, timeout=None):
            cache.incr(GENERATION_KEY)
    except ValueError:  # expired between the two calls
        cache.add(GENERATION_KEY, 1, timeout=None)


def content_changed(sender, **kwargs) -> None:
    """Receiver of post_save, post_delete and m2m_changed: purge now, and again after
    commit (a reader between the two would otherwise store the old page anew)."""
    if not enabled():
        return
    meta = sender._meta
    if meta.app_label in IGNORED_APPS or meta.label_lower in IGNORED_MODELS:
        return
    fields = kwargs.get("update_fields")
    signing_in = fields and set(fields) <= {"last_login", "password"}
    if meta.label_lower == settings.AUTH_USER_MODEL.lower() and signing_in:
        return  # signing in changes nothing a reader sees
    bump_generation()
    transaction.on_commit(bump_generation)


class AnonymousPageCacheMiddleware:
    """Last in MIDDLEWARE: it sees the resolved view (so it knows what is public) and
    every outer middleware (security headers, CSP, language) still runs on a hit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key is not None and response_is_shareable(request, response):
            self._store(key, request._page_cache_generation, response)
            self._mark_public(response)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not enabled() or not request_is_anonymous_reader(request):
            return None
        match = request.resolver_match
        if not is_view_cacheable(match.view_name if match else None):
            return None
        key = entry_key(request)
        found = page_cache().get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry["generation"] == generation:
            response = entry["response"]
            response["X-Page-Cache"] = "hit"
            self._mark_public(response)
            return response
        request._page_cache_key = key
        request._page_cache_generation = generation
        return None

    def _store(self, key, generation, response) -> None:
        if not response.has_header("ETag"):
            response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
        response["X-Page-Cache"] = "miss"
        timeout = getattr(settings, "PAGE_CACHE_SECONDS", 300)
        page_cache().set(key, {"generation": generation, "response": response}, timeout)

    def _mark_public(self, response) -> None:
        """Shared caches in front (a proxy, a CDN) may keep it briefly; browsers ask
        again each time (a 304 with the ETag when unchanged)."""
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=getattr(settings, "PAGE_CACHE_PROXY_SECONDS", 30),
        )
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
