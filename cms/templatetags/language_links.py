"""The language switcher's links: the current page in each language, as plain links
(no form and no CSRF token, so the page is the same for every anonymous reader)."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    request = context.get("request")
    here = request.get_full_path() if request is not None else "/"
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(here, code),
        }
        for code, _name in settings.LANGUAGES
    ]
