"""Which language a page is served in, and the language switcher's road.

Order, first that applies (docs/translation.md, "Which language a reader gets"):
1. a language prefix in the URL (`/fr/…`, `/sw/…`);
2. a choice made with the language switcher (the language cookie);
3. a signed-in person's preferred language (their profile);
4. the browser's Accept-Language.
English lives at unprefixed URLs; a reader whose choice or browser asks for French
or Swahili there is redirected to the same page under `/fr/` or `/sw/`. That redirect
varies on Accept-Language and Cookie, so no cache in front hands one reader's
language to another.
"""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import trans_real
from django.views.decorators.http import require_safe
from wagtail.models import Site

# Views that pick their language themselves (a personal ballot link speaks the
# holder's language, whatever the browser asks).
OWN_LANGUAGE_VIEWS = frozenset({"ballots:link"})


def _codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def chosen_language(request) -> str | None:
    """The language the reader picked with the switcher, if any."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return code if code in _codes() else None


def browser_language(request) -> str:
    """The best of the site's languages for the browser's Accept-Language."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for accept_lang, _quality in trans_real.parse_accept_lang_header(header):
        if accept_lang == "*":
            break
        try:
            return translation.get_supported_language_variant(accept_lang)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def negotiate(request) -> str | None:
    """The language for an unprefixed URL, or None when the URL's prefix decides."""
    if translation.get_language_from_path(request.path_info) is not None:
        return None
    chosen = chosen_language(request)
    if chosen:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.preferred_language in _codes():
        return user.preferred_language
    return browser_language(request)


def redirect_to_language(request, language: str):
    """Send the reader to this page in `language`, or None when it has no such URL.

    Only GET and HEAD, and only pages under i18n_patterns: the open-data URLs, the
    admin and posted forms stay where they are."""
    if request.method not in ("GET", "HEAD") or language == settings.LANGUAGE_CODE:
        return None
    match = request.resolver_match
    if match is not None and match.view_name in OWN_LANGUAGE_VIEWS:
        return None
    here = request.get_full_path()
    there = translate_url(here, language)
    if there == here:
        return None
    if match is not None and match.view_name == "wagtail_serve":
        path = match.args[0] if match.args else match.kwargs.get("path", "")
        if not _page_exists(request, path or "", language):
            return None  # not translated (yet): the English page rather than a 404
    response = HttpResponseRedirect(there)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    add_never_cache_headers(response)
    return response


def _page_exists(request, path: str, language: str) -> bool:
    """Whether Wagtail serves this path in `language` (as wagtail.views.serve routes
    it: from the site root's translation). A few queries, on a redirect only."""
    site = Site.find_for_request(request)
    if site is None:
        return False
    with translation.override(language):
        try:
            site.root_page.localized.specific.route(request, [c for c in path.split("/") if c])
        except Http404:
            return False
    return True


@require_safe
def choose_language(request, code: str):
    """The switcher's link: remember the choice in the language cookie and show the
    same page in that language. A plain link (no form, no CSRF token), so cached
    pages stay the same for every anonymous reader."""
    following = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        following = "/"
    if code not in _codes():
        code = settings.LANGUAGE_CODE
    # Read `next` in its own language, or /fr/… would resolve as an English page path.
    path = following.split("?")[0]
    with translation.override(translation.get_language_from_path(path) or settings.LANGUAGE_CODE):
        response = HttpResponseRedirect(translate_url(following, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    add_never_cache_headers(response)
    return response
