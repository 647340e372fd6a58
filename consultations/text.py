"""Cleaning what people type before it is stored, and the language they wrote it in."""

import html
import re

import nh3
from django.conf import settings
from django.utils import translation

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(raw: str) -> str:
    """Markup removed, entities decoded, control characters dropped: stored as plain text
    and escaped when shown, so nothing a commenter types can run in a reader's browser."""
    cleaned = nh3.clean(raw or "", tags=set(), clean_content_tags={"script", "style"})
    return _CONTROL.sub("", html.unescape(cleaned)).replace("\r\n", "\n").strip()


def written_language(language: str | None = None) -> str:
    """The language a comment or message is written in: the one given if it is a site
    language (a socket passes its page's), else the active language (the request's),
    else the site's default. Never anything outside settings.LANGUAGES."""
    codes = {code for code, _name in settings.LANGUAGES}
    for candidate in (language, translation.get_language()):
        code = (candidate or "").split("-")[0].lower()
        if code in codes:
            return code
    return settings.LANGUAGE_CODE
