"""Which standards texts exist in every site language (see governance/translation.py)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Clause, Consultation, Disposition, Standard


@register(Standard)
class StandardTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(Clause)
class ClauseTranslation(TranslationOptions):
    fields = ("heading", "body")


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("instructions",)


@register(Disposition)
class DispositionTranslation(TranslationOptions):
    fields = ("response",)
