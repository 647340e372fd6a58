"""Translating governance texts: a translator drafts, the secretariat approves.

Only approved text reaches the record's `<field>_<language>` column, so readers
never see an unreviewed draft. Both steps check permission, lock the row, run in
one transaction and write the audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit, permissions, translations
from ..models import TextTranslation, TranslationStatus
from ..models.translations import digest
from ._base import refuse, require

SOURCE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
TARGETS = tuple(code for code, _name in settings.LANGUAGES if code != SOURCE)
MAX_TEXT = 20_000

# How to reach a record's working group, for records that do not hold one directly.
GROUP_PATHS = {
    "ballotoption": "ballot.working_group",
    "clause": "version.standard.working_group",
    "consultation": "version.standard.working_group",
    "disposition": "comment.consultation.version.standard.working_group",
}


def owning_group(record):
    """The working group whose translators and secretariat handle the record's texts;
    None for alliance-wide records (chambers, organisations)."""
    if record._meta.model_name == "workinggroup":
        return record
    if hasattr(record, "working_group_id"):
        return record.working_group
    path = GROUP_PATHS.get(record._meta.model_name)
    if path is None:
        return None
    for step in path.split("."):
        record = getattr(record, step)
    return record


def _checked(record, field: str, language: str) -> None:
    if field not in translations.fields_of(record):
        refuse(_("This text is not translated."), "field")
    if language not in TARGETS:
        refuse(_("Choose French or Swahili: English is the source text."), "language")


def _locked_row(record, field: str, language: str, group) -> TextTranslation:
    row, _created = TextTranslation.objects.select_for_update().get_or_create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        field=field,
        language=language,
        defaults={"working_group": group},
    )
    return row


@transaction.atomic
def translation_draft(*, actor, record, field: str, language: str, text: str) -> TextTranslation:
    """A translator's draft of one text; readers keep seeing the approved one (or the
    English) until the secretariat approves this draft."""
    _checked(record, field, language)
    group = owning_group(record)
    require(
        permissions.can_translate(actor, group),
        _("Only the working group's translators and secretariat translate its texts."),
    )
    text = (text or "").strip()
    if not text:
        refuse(_("Write the translation."), "text")
    if len(text) > MAX_TEXT:
        refuse(_("The translation is too long."), "text")
    row = _locked_row(record, field, language, group)
    row.draft, row.status = text, TranslationStatus.DRAFT
    row.translated_by, row.translated_at = actor, timezone.now()
    row.approved_by = row.approved_at = None
    row.save()
    audit.record(
        actor=actor,
        action="translation.drafted",
        obj=record,
        working_group=group,
        payload={"field": field, "language": language, "text": text},
    )
    return row


@transaction.atomic
def translation_approve(*, actor, record, field: str, language: str) -> TextTranslation:
    """The secretariat approves the draft: it becomes what readers of `language` see,
    approved against today's English text (a later English edit makes it out of date)."""
    _checked(record, field, language)
    group = owning_group(record)
    require(
        permissions.can_approve_translations(actor, group),
        _("Only the secretariat approves translations."),
    )
    row = _locked_row(record, field, language, group)
    if row.status != TranslationStatus.DRAFT or not row.draft:
        refuse(_("There is no draft translation to approve."))
    record = type(record)._default_manager.select_for_update().get(pk=record.pk)
    column = f"{field}_{language}"
    setattr(record, column, row.draft)
    record.save(update_fields=[column])
    row.status, row.approved_by, row.approved_at = TranslationStatus.APPROVED, actor, timezone.now()
    row.source_digest = digest(getattr(record, f"{field}_{SOURCE}"))
    row.save()
    audit.record(
        actor=actor,
        action="translation.approved",
        obj=record,
        working_group=group,
        payload={"field": field, "language": language, "translated_by": row.translated_by_id},
    )
    return row


def status_of(record, field: str, language: str, rows=None) -> str:
    """missing / draft / approved / out_of_date, for the overview and the ballot rule."""
    if rows is None:
        rows = translations.rows_for(record, language)
    row = rows.get(field)
    if row is None or (row.status == TranslationStatus.MISSING):
        return TranslationStatus.MISSING
    if row.is_out_of_date(record):
        return "out_of_date"
    if row.source_digest and row.status == TranslationStatus.DRAFT:
        return TranslationStatus.APPROVED  # a revision is drafted; the approved one stands
    return row.status


@transaction.atomic
def translations_import(*, actor, language: str, entries) -> int:
    """A translator's PO file back (governance.translation_files): every translated
    entry becomes a draft for the secretariat to approve. All or nothing: one entry
    that names no text, whose English changed since the export, or that the actor may
    not translate refuses the whole file with a line-by-line report. Returns how many
    drafts changed."""
    from .. import translation_files

    if language not in TARGETS:
        refuse(_("Choose French or Swahili: English is the source text."), "language")
    problems, changes = [], []
    for entry in entries:
        found = translation_files.record_of(entry.context)
        where = _("Line %(line)s") % {"line": entry.line}
        if found is None:
            problems.append(
                f"{where}: " + _("no such text here (%(context)s).") % {"context": entry.context}
            )
            continue
        record, field = found
        if not permissions.can_translate(actor, owning_group(record)):
            problems.append(f"{where}: " + _("you may not translate this working group's texts."))
            continue
        if (getattr(record, f"{field}_{SOURCE}") or "") != entry.source:
            problems.append(
                f"{where}: "
                + _("the English text changed since the export; export the file again.")
            )
            continue
        text = entry.text.strip()
        row = translations.rows_for(record, language).get(field)
        current = (row.draft if row and row.status == TranslationStatus.DRAFT else None) or (
            getattr(record, f"{field}_{language}") or ""
        )
        if text != current.strip():
            changes.append((record, field, text))
    if problems:
        raise ValidationError(problems)
    for record, field, text in changes:
        translation_draft(actor=actor, record=record, field=field, language=language, text=text)
    audit.record(
        actor=actor,
        action="translation.imported",
        obj=actor,
        payload={"language": language, "entries": len(entries), "drafts": len(changes)},
    )
    return len(changes)
