"""A batch of governance texts as a PO file, for a translator who works offline (in
Poedit, Weblate, a text editor) and has no account: the secretariat exports what is
missing or out of date in one language, the file comes back, and its entries become
drafts that the secretariat approves as usual (governance.services.translations).

Each entry's context names the text (`governance.ballot:12:motion`), its msgid is the
English source as exported (an import refuses an entry whose English has changed
since), and its msgstr is the translation. A translation that went out of date is
exported marked fuzzy, with the approved text to revise.
"""

from dataclasses import dataclass

import polib
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import translations

MAX_FILE_BYTES = 2 * 1024 * 1024
TODO = ("missing", "draft", "out_of_date")


def context_of(content_type: ContentType, pk: int, field: str) -> str:
    return f"{content_type.app_label}.{content_type.model}:{pk}:{field}"


def export(groups, language: str, *, todo_only: bool = True) -> bytes:
    """The PO file of the groups' texts in `language` (those still to do, or all)."""
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "Chaintable governance texts",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "POT-Creation-Date": timezone.now().strftime("%Y-%m-%d %H:%M%z"),
    }
    from .models import TextTranslation, TranslationStatus

    content_types = {ct.pk: ct for ct in ContentType.objects.all()}
    drafts = {
        (row.content_type_id, row.object_id, row.field): row.draft
        for row in TextTranslation.objects.filter(
            working_group__in=groups, language=language, status=TranslationStatus.DRAFT
        )
    }
    for row in translations.overview(groups, [language]):
        status = row["cells"][0][1]
        if todo_only and status not in TODO:
            continue
        record, field = row["record"], row["field"]
        draft = drafts.get((row["ct"], record.pk, field)) if status == "draft" else None
        approved = getattr(record, f"{field}_{language}") or ""
        comments = [f"{record} — {field}"]
        comments += [
            f"{english} = {dict(zip(('fr', 'sw'), others, strict=True))[language]}"
            for english, *others in translations.glossary_terms_in(row["source"])
        ]
        if status == "out_of_date":
            comments.append(_("The English changed after this translation was approved."))
        po.append(
            polib.POEntry(
                msgctxt=context_of(content_types[row["ct"]], record.pk, field),
                msgid=row["source"],
                msgstr=draft or approved,
                comment="\n".join(comments),
                flags=["fuzzy"] if status == "out_of_date" else [],
            )
        )
    return str(po).encode("utf-8")


def too_large() -> ValidationError:
    return ValidationError(
        _("The file is larger than %(mb)s MB.") % {"mb": MAX_FILE_BYTES // (1024 * 1024)}
    )


@dataclass(frozen=True)
class Entry:
    line: int
    context: str
    source: str
    text: str


def read(data: bytes) -> tuple[str, list[Entry]]:
    """The file's language and its translated, non-fuzzy entries; a clear error for a
    file that is not a PO file, too large, or in no site language."""
    if len(data) > MAX_FILE_BYTES:
        raise too_large()
    try:
        po = polib.pofile(data.decode("utf-8"), wrapwidth=0)
    except (UnicodeDecodeError, OSError, ValueError) as broken:
        raise ValidationError(_("This is not a PO file in UTF-8.")) from broken
    language = (po.metadata.get("Language") or "").strip().lower().replace("_", "-")
    language = language.split("-")[0]
    targets = {code for code, _name in settings.LANGUAGES} - {
        settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    }
    if language not in targets:
        raise ValidationError(
            _("The file's Language header must be one of: %(codes)s.")
            % {"codes": ", ".join(sorted(targets))}
        )
    entries = [
        Entry(
            line=entry.linenum, context=entry.msgctxt or "", source=entry.msgid, text=entry.msgstr
        )
        for entry in po
        if entry.msgstr.strip() and "fuzzy" not in entry.flags and not entry.obsolete
    ]
    return language, entries


def record_of(context: str):
    """(record, field) named by an entry's context, or None."""
    try:
        model_path, pk, field = context.split(":")
        app_label, model_name = model_path.split(".")
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
        record = model._default_manager.filter(pk=int(pk)).first() if model else None
    except (ValueError, ContentType.DoesNotExist):
        return None
    if record is None or field not in translations.fields_of(record):
        return None
    return record, field
