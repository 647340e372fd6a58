"""Which texts of a record are translated (django-modeltranslation's registry), and
their workflow rows (written by governance.services.translations)."""

import functools
import re
from pathlib import Path

from django.conf import settings
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


# --- The glossary (docs/translation-glossary.md) ------------------------------

GLOSSARY_FILE = Path(settings.BASE_DIR) / "docs" / "translation-glossary.md"


@functools.cache
def glossary() -> tuple[tuple[str, str, str], ...]:
    """(English, French, Swahili) rows of the glossary's tables."""
    rows = []
    try:
        lines = GLOSSARY_FILE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return ()
    for line in lines:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "") or set(cells[0]) <= set("-: "):
            continue
        rows.append(tuple(cells))
    return tuple(rows)


def glossary_terms_in(text: str) -> list[tuple[str, str, str]]:
    """The glossary rows whose English term (without its note in brackets) the text uses."""
    lowered = (text or "").lower()
    found = []
    for english, french, swahili in glossary():
        term = re.sub(r"\s*\(.*?\)", "", english).strip().lower()
        if term and re.search(rf"\b{re.escape(term)}", lowered):
            found.append((english, french, swahili))
    return found


# --- The translator's overview --------------------------------------------------


def translatable_records(groups) -> list:
    """A working group's records whose texts readers and voters see: the group, its
    seats, rules, ballots still to be voted on (and their own choices) and decisions."""
    from .models import Ballot, BallotStatus, Decision, Seat, VotingRule
    from .services.ballots.drafting import DEFAULT_OPTIONS

    records = list(groups)
    records += Seat.objects.filter(working_group__in=groups, is_active=True)
    records += VotingRule.objects.filter(working_group__in=groups)
    ballots = Ballot.objects.filter(
        working_group__in=groups, status__in=[BallotStatus.DRAFT, BallotStatus.OPEN]
    ).prefetch_related("options")
    for ballot in ballots:
        records.append(ballot)
        standard = {key for key, _l, _r in DEFAULT_OPTIONS.get(ballot.option_set, [])}
        records += [option for option in ballot.options.all() if option.key not in standard]
    records += Decision.objects.filter(working_group__in=groups)
    return records


def overview(groups, languages) -> list[dict]:
    """One row per (record, text): its English and each language's status (a fixed
    number of queries whatever the number of records)."""
    from .models import TextTranslation
    from .services.translations import status_of

    records = translatable_records(groups)
    by_key: dict = {}
    for row in TextTranslation.objects.filter(working_group__in=groups, language__in=languages):
        by_key.setdefault((row.content_type_id, row.object_id, row.language), {})[row.field] = row
    rows = []
    for record in records:
        ct = ContentType.objects.get_for_model(record)
        for field in fields_of(record):
            source = getattr(record, f"{field}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}")
            if not source:
                continue
            cells = [
                (
                    language,
                    status_of(
                        record, field, language, by_key.get((ct.pk, record.pk, language), {})
                    ),
                )
                for language in languages
            ]
            rows.append(
                {"record": record, "ct": ct.pk, "field": field, "source": source, "cells": cells}
            )
    return rows
