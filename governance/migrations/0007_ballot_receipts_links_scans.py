"""Receipts move to the participation (a secret ballot's choice no longer holds one),
votes carry their form's idempotency key, personal links may be printed (with a
witness), and scans of paper ballots move to private storage under random names."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import governance.models.ballots
import governance.storage


def move_receipts(apps, schema_editor):
    """Roll-call: the choice's receipt becomes its participation's. Secret: the ballot's
    receipt codes are dealt to its participations in no meaningful order (codes sorted,
    participations by id): the set of codes a voter finds on the bulletin is unchanged,
    and afterwards nothing links a code to a choice."""
    Participation = apps.get_model("governance", "Participation")
    RollCallChoice = apps.get_model("governance", "RollCallChoice")
    SecretChoice = apps.get_model("governance", "SecretChoice")
    new_code = governance.models.ballots.new_receipt_code
    for choice in RollCallChoice.objects.only("participation_id", "receipt_code").iterator():
        Participation.objects.filter(pk=choice.participation_id).update(
            receipt_code=choice.receipt_code
        )
    ballots = (
        Participation.objects.filter(receipt_code__isnull=True)
        .values_list("ballot_id", flat=True)
        .distinct()
    )
    for ballot_id in list(ballots):
        codes = sorted(
            SecretChoice.objects.filter(ballot_id=ballot_id).values_list("receipt_code", flat=True)
        )
        waiting = Participation.objects.filter(ballot_id=ballot_id, receipt_code__isnull=True)
        for participation_id in waiting.order_by("pk").values_list("pk", flat=True):
            code = codes.pop() if codes else new_code()
            Participation.objects.filter(pk=participation_id).update(receipt_code=code)


def move_scans(apps, schema_editor):
    """Scans stored under MEDIA_ROOT (by the seat's file name) move to private storage
    under random names; the public copies are deleted."""
    from django.core.files.storage import FileSystemStorage

    Attestation = apps.get_model("governance", "AssistedVoteAttestation")
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    private = governance.storage.private_storage
    for attestation in Attestation.objects.exclude(scan="").iterator():
        old = attestation.scan.name
        if not public.exists(old):
            continue
        with public.open(old, "rb") as content:
            new = private.save(governance.storage.attestation_scan_name(attestation, old), content)
        Attestation.objects.filter(pk=attestation.pk).update(scan=new)
        public.delete(old)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0006_term_sync"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Receipts: to the participation, then off the choices.
        migrations.AddField(
            model_name="participation",
            name="receipt_code",
            field=models.CharField(max_length=16, null=True),
        ),
        migrations.RunPython(move_receipts, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="participation",
            name="receipt_code",
            field=models.CharField(
                default=governance.models.ballots.new_receipt_code, max_length=16
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                fields=("receipt_code",), name="participation_receipt_unique"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="rollcallchoice",
            name="roll_call_receipt_unique",
        ),
        migrations.RemoveConstraint(
            model_name="secretchoice",
            name="secret_receipt_unique",
        ),
        migrations.RemoveField(model_name="rollcallchoice", name="receipt_code"),
        migrations.RemoveField(model_name="secretchoice", name="receipt_code"),
        migrations.AlterModelOptions(
            name="secretchoice",
            options={
                "ordering": [
                    "option__order",
                    "option__key",
                    "chamber__name",
                    "sub_chamber__name",
                    "id",
                ]
            },
        ),
        # Idempotency keys of the forms that cast and changed votes.
        migrations.AddField(
            model_name="participation",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key", ""), _negated=True),
                fields=("ballot", "idempotency_key"),
                name="participation_idempotency_key_unique",
            ),
        ),
        migrations.AddField(
            model_name="rollcallchoicerevision",
            name="idempotency_key",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddConstraint(
            model_name="rollcallchoicerevision",
            constraint=models.UniqueConstraint(
                condition=models.Q(("idempotency_key", ""), _negated=True),
                fields=("choice", "idempotency_key"),
                name="revision_idempotency_key_unique",
            ),
        ),
        # Printed links.
        migrations.CreateModel(
            name="PrintedLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("witness", models.CharField(max_length=200, verbose_name="witness")),
                (
                    "printed_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="printed"
                    ),
                ),
                (
                    "ballot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="printed_links",
                        to="governance.ballot",
                    ),
                ),
                (
                    "holder",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "printed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "seat",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="governance.seat",
                    ),
                ),
            ],
            options={
                "verbose_name": "printed link",
                "verbose_name_plural": "printed links",
                "ordering": ["ballot", "printed_at"],
            },
        ),
        migrations.AlterField(
            model_name="participation",
            name="channel",
            field=models.CharField(
                choices=[
                    ("web", "Web"),
                    ("link", "Personal link"),
                    ("printed", "Printed link"),
                    ("assisted", "Assisted"),
                ],
                default="web",
                max_length=12,
            ),
        ),
        migrations.AddField(
            model_name="participation",
            name="printed_link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="votes",
                to="governance.printedlink",
            ),
        ),
        migrations.AddConstraint(
            model_name="participation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("printed_link__isnull", True), ("channel", "printed"), _connector="OR"
                ),
                name="participation_printed_link_channel",
            ),
        ),
        # Scans of paper ballots: private, under random names.
        migrations.AlterField(
            model_name="assistedvoteattestation",
            name="scan",
            field=models.FileField(
                blank=True,
                storage=governance.storage.PrivateStorage(),
                upload_to=governance.storage.attestation_scan_name,
                verbose_name="scan",
            ),
        ),
        migrations.RunPython(move_scans, migrations.RunPython.noop, elidable=False),
    ]
