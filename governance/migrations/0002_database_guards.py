from django.db import migrations


def forwards(apps, schema_editor):
    from governance.db import install_guards

    install_guards(schema_editor)
    apps.get_model("governance", "AuditChainHead").objects.get_or_create(pk=1)


def backwards(apps, schema_editor):
    from governance.db import remove_guards

    remove_guards(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
