import zoneinfo

from django.utils import timezone, translation


class UserPreferencesMiddleware:
    """Show times in the person's chosen zone, pages in their chosen language.

    Runs after LocaleMiddleware: an explicit choice in the profile wins over the
    browser's Accept-Language, while a language prefix in the URL wins over both.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.time_zone:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
                except zoneinfo.ZoneInfoNotFoundError:
                    timezone.deactivate()
            if user.preferred_language and not _language_in_path(request):
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _language_in_path(request) -> bool:
    return translation.get_language_from_path(request.path_info) is not None
