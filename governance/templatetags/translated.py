"""Translated governance texts on pages: the reader's language, or the English source
marked `lang="en"` (WCAG 3.1.2), with a note saying which text is authoritative."""

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from governance import translations

register = template.Library()

SOURCE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def _shown(obj, field: str) -> tuple[str, bool]:
    """(text, is_source_fallback) for the active language."""
    lang = get_language() or SOURCE
    source = getattr(obj, f"{field}_{SOURCE}", None) or ""
    if lang == SOURCE:
        return source, False
    text = getattr(obj, f"{field}_{lang}", None)
    return (text, False) if text else (source, True)


@register.simple_tag
def tr(obj, field: str, linebreaks: bool = False):
    """`{% tr ballot "motion" linebreaks=True %}`: the text in the page's language."""
    text, fallback = _shown(obj, field)
    html = linebreaks_filter(text, autoescape=True) if linebreaks else conditional_escape(text)
    if not fallback:
        return html
    if linebreaks:
        return format_html('<div lang="{}">{}</div>', SOURCE, html)
    return format_html('<span lang="{}">{}</span>', SOURCE, html)


@register.simple_tag
def translation_note(obj, *fields: str):
    """One note for a record's texts: shown in English (not yet translated), or a
    translation that says the English is authoritative, and whether it is out of date."""
    lang = get_language() or SOURCE
    if lang == SOURCE or obj is None:
        return ""
    fields = fields or tuple(translations.fields_of(obj))
    shown = [_shown(obj, f) for f in fields]
    if any(fallback for text, fallback in shown if text):
        return format_html(
            '<p class="translation-note">{}</p>',
            _("Not yet translated into your language: shown in English, the original text."),
        )
    parts = [_("Translation — the English text is authoritative.")]
    if translations.is_out_of_date(obj, lang, fields):
        parts.append(
            _("Out of date: the English text changed after this translation was approved.")
        )
        return format_html(
            '<p class="translation-note out-of-date"><strong>{}</strong></p>', " ".join(parts)
        )
    return mark_safe(format_html('<p class="translation-note">{}</p>', parts[0]))
