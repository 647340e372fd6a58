"""Forms edit a record's English source, whatever the editor's language.

django-modeltranslation maps a translated field (`name`) to the active language's
column: a French-speaking editor's form would show the French text and save into
`name_fr`, past the translation workflow (draft, approval, out-of-date marks). These
forms read and write `<field>_en` instead; translations are made on the Translations
screen (governance.services.translations)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .. import translations

SOURCE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
SOURCE_HELP = _(
    "In English, the authoritative text. Translations are made and approved on the Translations screen."
)


class SourceTextFormMixin:
    """For a ModelForm of a model with translated fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.source_fields = [
            name for name in translations.fields_of(self.instance) if name in self.fields
        ]
        given = kwargs.get("initial") or {}
        for name in self.source_fields:
            if self.instance.pk and name not in given:
                self.initial[name] = getattr(self.instance, f"{name}_{SOURCE}")
            field = self.fields[name]
            field.help_text = f"{field.help_text} {SOURCE_HELP}".strip()

    def _post_clean(self):
        # Django's construct_instance would assign `name`, i.e. the active language's
        # column: set the source column here and hide the field from it.
        held = {}
        for name in self.source_fields:
            if name in self.cleaned_data:
                held[name] = self.cleaned_data.pop(name)
                setattr(self.instance, f"{name}_{SOURCE}", held[name])
        try:
            super()._post_clean()
        finally:
            self.cleaned_data.update(held)
