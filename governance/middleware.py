import zoneinfo
from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from config import language as language_negotiation

from . import two_factor


class UserPreferencesMiddleware:
    """Show times in the person's chosen zone, pages in their chosen language.

    The language is applied in process_view, after URL resolution: activating it
    earlier would make i18n_patterns look for a /fr/ prefix and 404 unprefixed URLs.
    A language prefix in the URL wins over the switcher's choice (cookie), which wins
    over the profile, which wins over the browser (config/language.py). A choice or a
    browser asking for French or Swahili at an unprefixed (English) URL is sent to the
    same page under /fr/ or /sw/; the profile's language is served in place.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs):
        language = language_negotiation.negotiate(request)
        if language is None:
            return None  # the URL's prefix decides
        user = getattr(request, "user", None)
        chosen = language_negotiation.chosen_language(request)
        if not chosen and user is not None and user.is_authenticated and user.preferred_language:
            # The profile's language, served in place (as before redirects existed).
            translation.activate(language)
            request.LANGUAGE_CODE = language
            return None
        return language_negotiation.redirect_to_language(request, language)


class SecondFactorMiddleware:
    """Until a second factor is given in the session, a person who needs one (or has
    enrolled one) goes to set-up or to the code page, from any page of the site or
    the admin (governance/two_factor.py). After django-otp's OTPMiddleware and
    UserPreferencesMiddleware (the road keeps the person's language)."""

    OPEN_VIEWS = frozenset(
        {
            "accounts:two_factor_setup",
            "accounts:two_factor_verify",
            "accounts:logout",
            "ballots:link",  # a personal ballot link needs no login at all
            "set_language",
            "choose_language",
        }
    )
    OPEN_PREFIXES = ("/api/",)  # open data ignores who asks

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if (match and match.view_name in self.OPEN_VIEWS) or request.path_info.startswith(
            self.OPEN_PREFIXES
        ):
            return None
        needs, enrolled = two_factor.state(user)
        if not (needs or enrolled):
            return None
        target = "accounts:two_factor_verify" if enrolled else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
