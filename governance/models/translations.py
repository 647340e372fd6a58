"""The translation workflow of one text of one record in one language."""

import hashlib

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()


class TranslationStatus(models.TextChoices):
    MISSING = "missing", _("Missing")
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")


class TextTranslation(models.Model):
    """(record, field, language): the draft a translator wrote, and once approved by
    the secretariat, the text copied into the record's `<field>_<language>` column.
    `source_digest` is the English text's digest at approval: when the English
    changes, the approved translation is out of date until revised."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("text"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    working_group = models.ForeignKey(
        "governance.WorkingGroup",
        verbose_name=_("working group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TranslationStatus.choices,
        default=TranslationStatus.MISSING,
    )
    draft = models.TextField(_("draft translation"), blank=True)
    source_digest = models.CharField(max_length=64, blank=True)
    translated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    translated_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("translation")
        verbose_name_plural = _("translations")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "field", "language"],
                name="one_translation_per_text_and_language",
            )
        ]
        indexes = [models.Index(fields=["working_group", "language", "status"])]

    def __str__(self) -> str:
        return f"{self.content_type.model} {self.object_id} {self.field} [{self.language}]"

    def is_out_of_date(self, record) -> bool:
        """An approved translation (still shown, even while a revision is drafted)
        whose English source changed since it was approved."""
        source = getattr(record, f"{self.field}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}")
        return bool(self.source_digest) and self.source_digest != digest(source)
