"""The language switcher's links: the current page in each language, as plain links
(no form and no CSRF token, so the page is the same for every anonymous reader).

Each link goes through `choose_language` (config/language.py), which remembers the
choice in the language cookie, so a reader who picks English is not sent back to
their browser's language at the next unprefixed URL."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    query = urlencode({"next": here})
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": f"{reverse('choose_language', kwargs={'code': code})}?{query}",
        }
        for code, _name in settings.LANGUAGES
    ]
