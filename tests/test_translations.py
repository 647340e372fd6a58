"""The French and Swahili catalogs: complete, compiled, and really used by the pages.

The .po files are read with a small reader below (polib is not a project
dependency); the .mo files with the standard library's GNUTranslations, which is
what Django itself loads at run time.
"""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from cms.demo import pages
from tests.factories import ChamberFactory, SeatFactory, WorkingGroupFactory

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("fr", "sw")
PLURAL_FORMS = {
    "fr": "nplurals=2; plural=(n > 1);",
    "sw": "nplurals=2; plural=(n != 1);",
}

# Strings that stay the same in translation. Everywhere: names and codes.
SAME_EVERYWHERE = {"Chaintable", "ISO", "CSV", "XLSX", "OK", "API"}
# French shares these words with English: the translation is the word itself.
SAME_IN = {
    "fr": {
        "Page",
        "Image",
        "introduction",
        "Swahili",
        "Motion",
        "motion",
        "Type",
        "type",
        "Code",
        "Total",
        "Version",
        "notification",
        "notifications",
        "Notifications",
        "version",
        "Versions",
        "Version %(label)s",
        "Version %(label)s · %(status)s",
        "Consultations",
        "Organisation",
        "organisation",
        "organisations",
        "Organisations",
        "source",
        "message",
        "Messages",
        "action",
        "public",
        "description",
        "Vacant",
        "Objection",
        "objection",
        "Objections",
        "Actions",
        "Discussion",
        "Discussions",
        "Quorum",
        "Date",
        "Dates",
        "participation",
        "Contribution",
        "contribution",
        "Contributions",
        "contributions",
        "Euro",
        "notes",
    },
    "sw": set(),
}
# What remains of a msgid once its placeholders are gone: if no letter is left
# (e.g. "%(label)s %(support)s > %(threshold)s."), it needs no words translated.
PLACEHOLDER = re.compile(r"%(\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?([sdiouxXeEfFgGcra%])")
# Conversions gettext's python-format check treats as one type.
_KIND = {**dict.fromkeys("diouxX", "int"), **dict.fromkeys("eEfFgG", "float"), "c": "char"}


def placeholders(text: str) -> list[str]:
    """The %-placeholders of a string, by name and kind ("% d" and "% o" are alike)."""
    return sorted((name or "") + _KIND.get(kind, kind) for name, kind in PLACEHOLDER.findall(text))


# --- A minimal .po reader ----------------------------------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


def read_po(path: Path) -> tuple[dict[str, str], list[Entry]]:
    """The header (as a dict) and the live entries of a .po file."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which field continuation lines extend

    def finish():
        nonlocal current
        if current is not None:
            entries.append(current)
        current = None

    def unquote(text: str) -> str:
        return ast.literal_eval(text.strip())

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            target = None
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalog
            continue
        if line.startswith("#,"):
            finish()
            current = Entry(line=number)
            current.flags = {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if current is None:
            current = Entry(line=number)
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            name, index = target
            value = unquote(line)
        else:
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                name, index = "msgstr", int(match.group(1))
            elif keyword in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
                if keyword in ("msgctxt", "msgid") and current.msgid:
                    # A new entry without a blank line in between.
                    flags = set()
                    finish()
                    current = Entry(line=number, flags=flags)
                name, index = keyword, 0
            else:
                raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
            value = unquote(rest)
            target = (name, index)
            if name == "msgstr":
                current.msgstr.setdefault(index, "")
            elif getattr(current, name) is None:
                setattr(current, name, "")
        if name == "msgstr":
            current.msgstr[index] += value
        else:
            setattr(current, name, (getattr(current, name) or "") + value)
    finish()
    header_entry = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    header = dict(
        line.split(": ", 1) for line in header_entry.msgstr[0].splitlines() if ": " in line
    )
    return header, [e for e in entries if e is not header_entry]


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_catalog(language: str) -> gettext.GNUTranslations:
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        return gettext.GNUTranslations(handle)


def needs_words(msgid: str) -> bool:
    return bool(re.search(r"[^\W\d_]", PLACEHOLDER.sub("", msgid)))


# --- (a) every entry translated, nothing fuzzy --------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_header_is_for_the_language(language):
    header, entries = read_po(po_path(language))
    assert header["Language"] == language
    assert header["Plural-Forms"] == PLURAL_FORMS[language]
    assert header["Content-Type"] == "text/plain; charset=UTF-8"
    assert len(entries) > 1000  # the whole interface, not a sample


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    _header, entries = read_po(po_path(language))
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if not e.msgstr
        or any(not text.strip() for text in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy: {fuzzy[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_and_markup_survive_translation(language):
    _header, entries = read_po(po_path(language))
    tag = re.compile(r"<[^>]+>")
    broken = []
    for e in entries:
        sources = [e.msgid] if e.msgid_plural is None else [e.msgid, e.msgid_plural]
        allowed = {p for source in sources for p in placeholders(source)}
        for index, text in e.msgstr.items():
            source = sources[min(index, len(sources) - 1)]
            if not set(placeholders(text)) <= allowed:
                broken.append(f"line {e.line}: unknown placeholder in {text!r}")
            if e.msgid_plural is None and placeholders(text) != placeholders(source):
                broken.append(f"line {e.line}: placeholders differ in {text!r}")
            if sorted(tag.findall(text)) != sorted(tag.findall(source)):
                broken.append(f"line {e.line}: markup differs in {text!r}")
    assert not broken, "\n".join(broken[:20])


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_translates_every_msgid(language):
    _header, entries = read_po(po_path(language))
    catalog = mo_catalog(language)
    same = SAME_EVERYWHERE | SAME_IN[language]
    missing, identical = [], []
    for e in entries:
        if e.msgid_plural is None:
            found = catalog._catalog.get(e.key)
            forms = [(e.msgid, found)]
        else:
            found = [catalog._catalog.get((e.key, index)) for index in (0, 1)]
            forms = [(e.msgid, found[0]), (e.msgid_plural, found[1])]
        for source, text in forms:
            if not text:
                missing.append(source)
            elif text == source and source not in same and needs_words(source):
                identical.append(source)
    assert not missing, f"not in the .mo: {missing[:20]}"
    assert not identical, f"left in English: {identical[:20]}"


# --- (b) the .mo files are compiled from the current .po files ----------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_is_up_to_date_with_po(language):
    _header, entries = read_po(po_path(language))
    expected = {}
    for e in entries:
        if e.msgid_plural is None:
            expected[e.key] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                expected[(e.key, index)] = text
    compiled = {key: value for key, value in mo_catalog(language)._catalog.items() if key != ""}
    assert set(compiled) == set(expected), (
        "the .mo and the .po differ: run `manage.py compilemessages` "
        f"(only in .po: {sorted(map(str, set(expected) - set(compiled)))[:5]}, "
        f"only in .mo: {sorted(map(str, set(compiled) - set(expected)))[:5]})"
    )
    stale = [str(key) for key, text in expected.items() if compiled[key] != text]
    assert not stale, f"the .mo has older translations of: {stale[:10]}"


# --- (c) the pages speak the language -----------------------------------------------------

# (English, French, Swahili), as the templates show them.
WORKING_GROUPS = ("Working groups", "Groupes de travail", "Vikundi kazi")
LOG_IN = ("Log in", "Se connecter", "Ingia")
REGISTER = ("Register", "S’inscrire", "Jisajili")
SKIP_LINK = ("Skip to main content", "Aller au contenu principal", "Ruka hadi maudhui makuu")
WHO_SITS = ("Who sits at the table", "Qui siège à la table", "Walioketi mezani")
MANDATE = ("Mandate", "Mandat", "Mamlaka")
SEAT_COLUMN = ("Organisation represented", "Organisation représentée", "Shirika linalowakilishwa")
INDEX = {"en": 0, "fr": 1, "sw": 2}


@pytest.fixture
def site(db):
    return pages.load()


@pytest.fixture
def working_group(site):
    group = WorkingGroupFactory(name="ASM Cobalt Framework", slug="asm-cobalt-framework")
    SeatFactory(working_group=group, chamber=ChamberFactory(name="Artisanal miners"), label="M1")
    return group


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def _says(html: str, language: str, *strings: tuple[str, str, str]):
    assert f'<html lang="{language}">' in html
    for triple in strings:
        assert triple[INDEX[language]] in html, f"{triple[INDEX[language]]!r} not on the page"
        if language != "en":
            assert triple[0] not in html, f"{triple[0]!r} left in English"


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_is_translated(client, site, language):
    html = _page(client, f"/{language}/")
    _says(html, language, WORKING_GROUPS, REGISTER, SKIP_LINK)
    assert LOG_IN[INDEX[language]] in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_login_page_is_translated(client, site, language):
    html = _page(client, f"/{language}/accounts/login/")
    _says(html, language, LOG_IN, WORKING_GROUPS, SKIP_LINK)
    word = {"fr": "Mot de passe", "sw": "Nenosiri"}[language]
    assert word in html  # the form's own labels


@pytest.mark.parametrize("language", LANGUAGES)
def test_working_group_page_is_translated(client, working_group, language):
    html = _page(client, f"/{language}/working-groups/{working_group.slug}/")
    _says(html, language, WHO_SITS, MANDATE, SEAT_COLUMN, WORKING_GROUPS)
    assert "ASM Cobalt Framework" in html  # names stay as they are


def test_english_stays_the_default(client, site):
    html = _page(client, "/")
    _says(html, "en", WORKING_GROUPS, LOG_IN, SKIP_LINK)


@pytest.mark.parametrize("language", LANGUAGES)
def test_python_strings_are_translated(language):
    """Strings marked in Python code (forms, messages, tallies) reach the catalog."""
    from django.utils.translation import gettext, ngettext

    with translation.override(language):
        assert gettext("Working groups") == WORKING_GROUPS[INDEX[language]]
        assert gettext("Password") == {"fr": "Mot de passe", "sw": "Nenosiri"}[language]
        one = ngettext("%(counter)s seat", "%(counter)s seats", 1) % {"counter": 1}
        many = ngettext("%(counter)s seat", "%(counter)s seats", 3) % {"counter": 3}
    assert (one, many) == {
        "fr": ("1 siège", "3 sièges"),
        "sw": ("Kiti 1", "Viti 3"),
    }[language]
