"""Translated governance texts on pages: the reader's language, or the English source
marked `lang="en"` (WCAG 3.1.2), with a note saying which text is authoritative."""

from django import template
from django.conf import settings
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from wagtail.templatetags.wagtailcore_tags import richtext as richtext_filter

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
def tr(obj, field: str, linebreaks: bool = False, richtext: bool = False):
    """`{% tr ballot "motion" linebreaks=True %}`: the text in the page's language;
    `richtext=True` for a rich-text field (a working group's mandate)."""
    text, fallback = _shown(obj, field)
    if richtext:
        html = richtext_filter(text or "")
    elif linebreaks:
        html = linebreaks_filter(text, autoescape=True)
    else:
        html = conditional_escape(text)
    if not fallback:
        return html
    if linebreaks or richtext:
        return format_html('<div lang="{}">{}</div>', SOURCE, html)
    return format_html('<span lang="{}">{}</span>', SOURCE, html)


@register.simple_tag
def tr_lang(obj, field: str) -> str:
    """`{% tr_lang decision "objections" as lang %}`: "en" when the field is shown in the
    English source on a page in another language (for a `lang` attribute), else ""."""
    return SOURCE if _shown(obj, field)[1] else ""


def _note(obj, fields) -> tuple[str, bool]:
    """(the note, is_out_of_date); no note in English."""
    lang = get_language() or SOURCE
    if lang == SOURCE or obj is None:
        return "", False
    fields = fields or tuple(translations.fields_of(obj))
    shown = [_shown(obj, f) for f in fields]
    if any(fallback for text, fallback in shown if text):
        return _(
            "Not yet translated into your language: shown in English, the original text."
        ), False
    note = _("Translation — the English text is authoritative.")
    if translations.is_out_of_date(obj, lang, fields):
        late = _("Out of date: the English text changed after this translation was approved.")
        return f"{note} {late}", True
    return note, False


@register.simple_tag
def translation_note(obj, *fields: str):
    """One note for a record's texts: shown in English (not yet translated), or a
    translation that says the English is authoritative, and whether it is out of date."""
    note, late = _note(obj, fields)
    if not note:
        return ""
    if late:
        return format_html('<p class="translation-note out-of-date"><strong>{}</strong></p>', note)
    return format_html('<p class="translation-note">{}</p>', note)


@register.simple_tag
def translation_note_text(obj, *fields: str) -> str:
    """The same note for plain-text emails."""
    return _note(obj, fields)[0]


# --- Texts people wrote (comments, messages): shown as written, marked with their language


WRITTEN_IN = {
    "en": gettext_lazy("Written in English"),
    "fr": gettext_lazy("Written in French"),
    "sw": gettext_lazy("Written in Swahili"),
}


def _other_language(language: str) -> bool:
    page = (get_language() or SOURCE).split("-")[0]
    return bool(language) and language != page


@register.simple_tag
def lang_attr(language: str):
    """` lang="sw"` for the element holding a text written in another language than
    the page's (WCAG 3.1.2, language of parts); nothing when they are the same."""
    if not _other_language(language):
        return ""
    return format_html(' lang="{}"', language)


@register.simple_tag
def written_in(language: str):
    """ "Written in Swahili", in the reader's language, when the text is not in the page's."""
    if not _other_language(language) or language not in WRITTEN_IN:
        return ""
    return format_html('<span class="written-in">{}</span>', WRITTEN_IN[language])
