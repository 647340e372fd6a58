"""Translating offline: the secretariat exports a PO file of what is to do, a
translator without an account fills it in, and importing it back saves drafts, all or
nothing, for the secretariat to approve."""

import subprocess

import polib
import pytest
from django.urls import reverse

from governance import services
from governance.models import AuditEvent, TextTranslation, TranslationStatus
from tests.factories import UserFactory
from tests.governance.test_content_translation import MOTION_SW, draft_ballot, people  # noqa: F401
from tests.governance.test_low_bandwidth import miner  # noqa: F401

pytestmark = pytest.mark.django_db


def export(client, **params):
    response = client.get(reverse("governance_translations_export"), params)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return polib.pofile(response.content.decode())


def upload(client, po: polib.POFile, name="back.po"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = SimpleUploadedFile(name, str(po).encode(), content_type="text/x-gettext-translation")
    return client.post(reverse("governance_translations_import"), {"file": data})


def entry_for(po, ballot, field):
    return next(e for e in po if e.msgctxt.endswith(f".ballot:{ballot.pk}:{field}"))


def test_a_batch_goes_out_and_comes_back_as_drafts(client, group, miner, people):  # noqa: F811
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    client.force_login(secretariat)
    po = export(client, language="sw", group=group.pk)
    assert po.metadata["Language"] == "sw"
    motion = entry_for(po, ballot, "motion")
    assert motion.msgid == ballot.motion_en and motion.msgstr == ""
    assert "kikundi kazi" in motion.comment  # the glossary's terms travel with the text
    # The translator fills it in offline.
    motion.msgstr = MOTION_SW
    response = upload(client, po)
    assert response.status_code == 302
    row = TextTranslation.objects.get(object_id=ballot.pk, field="motion", language="sw")
    assert row.status == TranslationStatus.DRAFT and row.draft == MOTION_SW
    ballot.refresh_from_db()
    assert ballot.motion_sw is None  # readers wait for the secretariat's approval
    assert AuditEvent.objects.filter(action="translation.imported").count() == 1
    # Approved, it leaves the batch of what is to do.
    services.translation_approve(actor=secretariat, record=ballot, field="motion", language="sw")
    todo = export(client, language="sw", group=group.pk)
    assert not [e for e in todo if e.msgctxt.endswith(f".ballot:{ballot.pk}:motion")]
    everything = export(client, language="sw", group=group.pk, which="all")
    assert entry_for(everything, ballot, "motion").msgstr == MOTION_SW


def test_the_file_is_valid_gettext(client, group, miner, people, tmp_path):  # noqa: F811
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    draft_ballot(group, chair, rule)
    client.force_login(translator)
    path = tmp_path / "batch.po"
    path.write_bytes(
        client.get(reverse("governance_translations_export"), {"language": "fr"}).content
    )
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True
    )
    assert checked.returncode == 0, checked.stderr


def test_an_out_of_date_translation_goes_out_fuzzy_and_is_not_taken_back_as_is(
    client,
    group,
    miner,  # noqa: F811
    people,  # noqa: F811
):
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    services.translation_draft(
        actor=translator, record=ballot, field="motion", language="sw", text=MOTION_SW
    )
    services.translation_approve(actor=secretariat, record=ballot, field="motion", language="sw")
    ballot.motion_en = ballot.motion = ballot.motion_en + " Amended."
    ballot.save(update_fields=["motion_en"])
    client.force_login(secretariat)
    po = export(client, language="sw")
    motion = entry_for(po, ballot, "motion")
    assert "fuzzy" in motion.flags and motion.msgstr == MOTION_SW
    assert upload(client, po).status_code == 302  # fuzzy: skipped, nothing changes
    row = TextTranslation.objects.get(object_id=ballot.pk, field="motion", language="sw")
    assert row.status == TranslationStatus.APPROVED


def test_a_bad_file_changes_nothing_and_says_why(client, group, miner, people):  # noqa: F811
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    client.force_login(translator)
    po = export(client, language="sw")
    entry_for(po, ballot, "motion").msgstr = MOTION_SW
    entry_for(po, ballot, "title").msgstr = "Kichwa"
    # The English changed since the export: the whole file is refused.
    ballot.title_en = "Another title"
    ballot.save(update_fields=["title_en"])
    response = upload(client, po)
    assert response.status_code == 400
    assert "the English text changed since the export" in response.content.decode()
    assert not TextTranslation.objects.exists()
    # Not a PO file, or one in no language of the site.
    garbage = client.post(
        reverse("governance_translations_import"),
        {"file": __import__("io").BytesIO(b"\xff\xfe not a po file")},
    )
    assert garbage.status_code == 400 and "not a PO file" in garbage.content.decode()
    po.metadata["Language"] = "de"
    assert upload(client, po).status_code == 400
    assert not TextTranslation.objects.exists()


def test_only_the_groups_translators_export_or_import(client, group, miner, people):  # noqa: F811
    chair, seats, holder, other, rule = miner
    translator, secretariat, member = people
    ballot = draft_ballot(group, chair, rule)
    client.force_login(translator)
    po = export(client, language="sw")
    entry_for(po, ballot, "motion").msgstr = MOTION_SW
    outsider = UserFactory()
    client.force_login(outsider)
    assert client.get(
        reverse("governance_translations_export"), {"language": "sw"}
    ).status_code in (302, 403)
    assert upload(client, po).status_code in (302, 403)
    client.force_login(member)
    assert upload(client, po).status_code in (302, 403)
    assert not TextTranslation.objects.exists()
