"""Links to Wagtail pages in the reader's language, so that a reader who follows any
link stays in the language they chose. Wagtail's own `pageurl` and `slugurl` link to
the page given (or found), whatever its locale; these link to its translation in the
active language when it has a live one, and to the page itself otherwise."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language
from wagtail.models import Page, Site
from wagtail.templatetags.wagtailcore_tags import pageurl

from cms import localized as pages_in_language

register = template.Library()


def _holder(context):
    return context.get("request") or context.render_context


def localized(context, page: Page) -> Page:
    return pages_in_language.localized(page, _holder(context))


@register.simple_tag(takes_context=True)
def localpageurl(context, page) -> str:
    return pageurl(context, localized(context, page)) if page is not None else ""


@register.simple_tag(takes_context=True)
def localslugurl(context, slug: str) -> str:
    """The page with this slug (in the current site's tree first), in the reader's
    language; each slug is looked up once per request (the header asks on every page)."""
    holder = _holder(context)
    found = getattr(holder, "_slug_urls", None)
    if found is None:
        found = {}
        if holder is not None:
            holder._slug_urls = found
    key = (slug, get_language())
    if key not in found:
        request = context.get("request")
        site = Site.find_for_request(request) if request is not None else None
        pages = Page.objects.filter(slug=slug)
        page = (pages.in_site(site).first() if site else None) or pages.first()
        found[key] = localpageurl(context, page) if page is not None else ""
    return found[key]


@register.simple_tag
def homeurl() -> str:
    """The home page in the reader's language ("/" for English, "/sw/" for Swahili): the
    site's root under the language prefix, which Wagtail serves in that locale."""
    return reverse("wagtail_serve", args=[""])
