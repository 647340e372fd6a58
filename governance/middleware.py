import zoneinfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show times in the person's chosen zone, pages in their chosen language.

    The language is applied in process_view, after URL resolution: activating it
    earlier would make i18n_patterns look for a /fr/ prefix and 404 unprefixed URLs.
    A language prefix in the URL wins over the profile, which wins over the browser.
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
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.preferred_language
            and translation.get_language_from_path(request.path_info) is None
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
