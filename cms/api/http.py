"""Caching for the public outputs: every answer is the same for every reader, so it
may be cached by anyone for five minutes, and revalidated by its ETag."""

import functools
import hashlib

from django.conf import settings
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control

MAX_AGE = 300


def make_public(request, response):
    """Cache-Control public with max-age, a strong ETag of the body, and 304 for a
    matching If-None-Match. Only successful GET answers are touched."""
    if request.method not in ("GET", "HEAD") or response.status_code != 200:
        return response
    if response.streaming:
        return response
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
    return get_conditional_response(request, etag=response["ETag"], response=response)


def public_cache(view):
    """`make_public` as a view decorator (feeds, calendars, exports)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return make_public(request, view(request, *args, **kwargs))

    return wrapped


def request_language(request) -> str:
    """The language of an open-data answer: `?lang=` if it names a site language, else
    the Accept-Language header, else the default. Never the reader's profile or
    cookie: the answer is cached as public, so it may only vary with the URL and
    Accept-Language (which LocaleMiddleware lists in Vary)."""
    supported = {code for code, _name in settings.LANGUAGES}
    asked = request.GET.get("lang", "")
    if asked in supported:
        return asked
    for code, _quality in translation.trans_real.parse_accept_lang_header(
        request.headers.get("Accept-Language", "")
    ):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def in_request_language(view):
    """Run the view (and render its answer) in `request_language`. The site's unprefixed
    URLs are otherwise always in the default language (i18n_patterns without prefix)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with translation.override(request_language(request)):
            return view(request, *args, **kwargs)

    return wrapped


def public_view(view):
    """For feeds, calendars and exports: the request's language, then public caching."""
    return public_cache(in_request_language(view))
