"""Cleaning what people type before it is stored."""

import html
import re

import nh3

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(raw: str) -> str:
    """Markup removed, entities decoded, control characters dropped: stored as plain text
    and escaped when shown, so nothing a commenter types can run in a reader's browser."""
    cleaned = nh3.clean(raw or "", tags=set(), clean_content_tags={"script", "style"})
    return _CONTROL.sub("", html.unescape(cleaned)).replace("\r\n", "\n").strip()
