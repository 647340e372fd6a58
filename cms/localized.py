"""Pages in the reader's language: the one place that knows how to find the active
language's locale and a page's translation in it, so every link (templates, search
results, member profiles, the home page) keeps a reader in the language they chose."""

from django.utils.translation import get_language
from wagtail.models import Locale, Page


def active_locale_id(holder=None) -> int | None:
    """The active language's locale. `holder` (the request, or a template's render
    context) keeps the answer so a page asks the database once, however many links."""
    language = get_language()
    cached = getattr(holder, "_active_locale", None) if holder is not None else None
    if cached is None or cached[0] != language:
        locale = Locale.objects.filter(language_code=language).only("pk").first()
        cached = (language, locale.pk if locale else None)
        if holder is not None:
            holder._active_locale = cached
    return cached[1]


def localized(page: Page | None, holder=None) -> Page | None:
    """The page's live translation in the active language, else the page itself (no
    query when the page is already in that language)."""
    if page is None or page.locale_id == active_locale_id(holder):
        return page
    return page.localized


def groups_index(holder=None):
    """The working-group index page in the reader's language (None when the site has
    none), looked up once per request when `holder` is given."""
    from cms.models import WorkingGroupIndexPage

    cached = getattr(holder, "_groups_index", None) if holder is not None else None
    if cached is None or cached[0] != get_language():
        pages = WorkingGroupIndexPage.objects.live()
        locale_id = active_locale_id(holder)
        index = pages.filter(locale=locale_id).first() or localized(pages.first(), holder)
        cached = (get_language(), index)
        if holder is not None:
            holder._groups_index = cached
    return cached[1]
