"""Links to Wagtail pages in the reader's language, so that a reader who follows any
link stays in the language they chose. Wagtail's own `pageurl` and `slugurl` link to
the page given (or found), whatever its locale; these link to its translation in the
active language when it has a live one, and to the page itself otherwise."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site
from wagtail.templatetags.wagtailcore_tags import pageurl

register = template.Library()


def _active_locale_id(context) -> int | None:
    """The active language's locale, looked up once per request (every template of the
    page asks)."""
    holder = context.get("request") or context.render_context
    language = get_language()
    cached = getattr(holder, "_active_locale", None) if holder is not None else None
    if cached is None or cached[0] != language:
        locale = Locale.objects.filter(language_code=language).only("pk").first()
        cached = (language, locale.pk if locale else None)
        if holder is not None:
            holder._active_locale = cached
    return cached[1]


def localized(context, page: Page) -> Page:
    if page is None or page.locale_id == _active_locale_id(context):
        return page  # already in the reader's language: no query
    return page.localized


@register.simple_tag(takes_context=True)
def localpageurl(context, page) -> str:
    return pageurl(context, localized(context, page)) if page is not None else ""


@register.simple_tag(takes_context=True)
def localslugurl(context, slug: str) -> str:
    """The page with this slug (in the current site's tree first), in the reader's language."""
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    pages = Page.objects.filter(slug=slug)
    page = (pages.in_site(site).first() if site else None) or pages.first()
    return localpageurl(context, page) if page is not None else ""


@register.simple_tag
def homeurl() -> str:
    """The home page in the reader's language ("/" for English, "/sw/" for Swahili): the
    site's root under the language prefix, which Wagtail serves in that locale."""
    return reverse("wagtail_serve", args=[""])
