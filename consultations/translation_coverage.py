"""How much of a draft readers can read in each language: a public comment round may
open before every clause is translated, and its page says so plainly. A clause counts
as translated in a language when each of its texts that has English (heading, body)
has an approved translation there (only approved text reaches the `_fr`/`_sw`
columns, see governance.services.translations)."""

from dataclasses import dataclass

from django.conf import settings

SOURCE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TEXTS = ("heading", "body")


@dataclass(frozen=True)
class Coverage:
    language: str
    name: str
    translated: int
    total: int
    missing: tuple[str, ...]  # the numbers of the clauses still in English

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def is_translated(clause, language: str) -> bool:
    return all(
        getattr(clause, f"{text}_{language}", None)
        for text in TEXTS
        if getattr(clause, f"{text}_{SOURCE}", None)
    )


def coverage(clauses, languages=None) -> list[Coverage]:
    """One row per language other than English, from clauses already loaded."""
    names = dict(settings.LANGUAGES)
    languages = languages or [code for code in names if code != SOURCE]
    rows = []
    for language in languages:
        missing = tuple(c.number for c in clauses if not is_translated(c, language))
        rows.append(
            Coverage(
                language=language,
                name=str(names[language]),
                translated=len(clauses) - len(missing),
                total=len(clauses),
                missing=missing,
            )
        )
    return rows
