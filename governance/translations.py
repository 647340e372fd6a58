"""Which texts of a record are translated (django-modeltranslation's registry), and
their workflow rows (written by governance.services.translations)."""

from django.contrib.contenttypes.models import ContentType
from modeltranslation.translator import NotRegistered, translator


def fields_of(obj) -> tuple[str, ...]:
    try:
        return tuple(translator.get_options_for_model(type(obj)).fields)
    except NotRegistered:
        return ()


def rows_for(obj, language: str) -> dict:
    """{field: TextTranslation} of one record in one language (one query)."""
    from .models import TextTranslation

    return {
        row.field: row
        for row in TextTranslation.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            language=language,
        )
    }


def is_out_of_date(obj, language: str, fields) -> bool:
    rows = rows_for(obj, language)
    return any(rows[f].is_out_of_date(obj) for f in fields if f in rows)
