"""The site's content locales: English (made by Wagtail's own migrations), French and
Swahili, so every page can have its translation (wagtail-localize) from the start."""

from django.db import migrations

CONTENT_LANGUAGES = ("fr", "sw")


def create_locales(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    for code in CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


def remove_locales(apps, schema_editor):
    """Only locales with no page and nothing else pointing to them go back."""
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    for locale in Locale.objects.filter(language_code__in=CONTENT_LANGUAGES):
        if not Page.objects.filter(locale=locale).exists():
            locale.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0002_decisions"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_locales, remove_locales)]
