"""Consensus decisions recorded from the working group's page by the chair or the
secretariat: the objections heard and how they were resolved, audited, listed with the
group's decisions and drafted for the decision register."""

import pytest
from django.core.exceptions import PermissionDenied

from governance.models import AuditEvent, Decision
from governance.services.decisions import decision_record_consensus
from tests.cms.test_decisions import publish, register, scene, site  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

FORM = {
    "title": "A radio notice for every round",
    "motion": "Each public round is announced on Radio Okapi in Swahili.",
    "objections_noted": "A buyer found radio costly.\nA cooperative asked for Lingala too.",
    "objections_resolution": "The alliance pays the notices; Lingala follows next year.",
}


@pytest.mark.parametrize("who", ["chair", "secretariat"])
def test_recorded_from_the_group_page_and_in_the_register(client, register, scene, who):  # noqa: F811
    person = getattr(scene, who)
    client.force_login(person)
    group_url = f"/working-groups/{scene.group.slug}/"
    page = client.get(group_url).text
    consensus_url = f"/ballots/group/{scene.group.slug}/consensus/"
    assert f'href="{consensus_url}"' in page and "Record a consensus decision" in page
    assert client.get(consensus_url).status_code == 200
    response = client.post(consensus_url, FORM)
    assert response.status_code == 302
    decision = Decision.objects.get(title=FORM["title"])
    assert decision.kind == Decision.Kind.CONSENSUS and decision.certified_by == person
    assert decision.objections_resolution == FORM["objections_resolution"]
    event = AuditEvent.objects.get(action="decision.recorded", object_id=str(decision.pk))
    assert event.actor == person and event.is_public
    assert event.payload["objections_resolution"] == FORM["objections_resolution"]
    # With the group's decisions at once; its page drafted, then published in the register.
    assert FORM["title"] in client.get(group_url).text
    published = publish(decision.pages.get(), chair=scene.chair, secretariat=scene.secretariat)
    client.logout()
    html = client.get(published.url).text
    assert "A cooperative asked for Lingala too." in html
    assert "How they were resolved" in html and "Lingala follows next year" in html
    assert FORM["title"] in client.get("/decisions/").text


def test_a_member_may_not_record_a_consensus(client, scene):  # noqa: F811
    member = scene.holders[0]
    client.force_login(member)
    url = f"/ballots/group/{scene.group.slug}/consensus/"
    assert client.get(url).status_code == 403
    assert client.post(url, FORM).status_code == 403
    assert (
        "Record a consensus decision" not in client.get(f"/working-groups/{scene.group.slug}/").text
    )
    with pytest.raises(PermissionDenied):
        decision_record_consensus(actor=member, group=scene.group, title="T", motion="M")
    assert not Decision.objects.exists()


def test_an_empty_form_is_refused_and_records_nothing(client, scene):  # noqa: F811
    client.force_login(scene.secretariat)
    response = client.post(f"/ballots/group/{scene.group.slug}/consensus/", {"title": ""})
    assert response.status_code == 400
    assert not Decision.objects.exists()
