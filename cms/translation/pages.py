"""Page translations through wagtail-localize: the same road the translators' editor takes
(a translation source, one string translation per segment, then the target page saved),
so a page translated here shows in the admin with its progress, can be exported as PO and
is marked out of date when its source changes."""

from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)


class MissingStrings(ValueError):
    """Some segments of the source have no translation in the mapping given."""


def page_translate(
    *,
    page: Page,
    language: str,
    strings: dict[str, str],
    user=None,
    publish: bool = True,
    publisher=None,
) -> Page:
    """Translate `page` into `language` with `strings` (source text → translated text,
    segment by segment; the slug may be left out to keep the source's). Every other
    segment must be given: a page half in English under /sw/ is what this prevents.
    `publisher` publishes it (default: `user`; a decision page is published by its chair).
    Returns the translated page (created, or brought up to date)."""
    locale = Locale.objects.get(language_code=language)
    with transaction.atomic():
        source, _created = TranslationSource.update_or_create_from_instance(page)
        translation, _created = Translation.objects.get_or_create(
            source=source, target_locale=locale
        )
        missing = []
        for segment in StringSegment.objects.filter(source=source).select_related(
            "string", "context"
        ):
            text = strings.get(segment.string.data)
            if text is None and segment.context.path == "slug":
                text = segment.string.data
            if text is None:
                missing.append(segment.string.data)
                continue
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                    "last_translated_by": user,
                },
            )
        if missing:
            raise MissingStrings(f"{page} into {language}: no translation for {missing!r}")
        # A draft first, then published from the page as it is in the database: Wagtail
        # Localize would publish on commit from the copy it holds, whose tree counts
        # (numchild) predate the translations of its children made in the same transaction.
        translation.save_target(user=user, publish=False)
        target = page.get_translation(locale)
        if publish:
            # The translation was checked when it was allowed to start (wagtail-localize).
            target.get_latest_revision().publish(
                user=publisher or user, skip_permission_checks=True
            )
    return target.specific
