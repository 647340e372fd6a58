"""Voting rules in the admin: chairs and secretariats create, edit (how a rule counts is
frozen while an open ballot uses it), copy and preview rules in plain words; every
change goes through the services and is audited."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from governance import rule_explanation, services
from governance.models import AuditEvent, VotingRule
from tests.factories import UserFactory, WorkingGroupFactory, give_role
from tests.governance.test_ballot_views import make_ballot, t  # noqa: F401 (fixture)

ADMIN = "/admin/governance/votingrule/"


def _fields(rule, **changes) -> dict:
    data = {
        "working_group": rule.working_group_id,
        "name": rule.name,
        "method": rule.method,
        "threshold": rule.threshold,
        "base": rule.base,
        "quorum_percent": rule.quorum_percent,
        "chamber_quorum_percent": rule.chamber_quorum_percent,
        "chamber_weighting": rule.chamber_weighting,
        "block_threshold": rule.block_threshold or "",
        "min_cell": rule.min_cell,
    }
    for flag in ("abstentions_count", "allow_vote_change", "allow_early_close"):
        if getattr(rule, flag):
            data[flag] = "on"
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["chair", "secretariat"])
def test_chair_and_secretariat_create_a_rule_in_the_admin(client, t, who):  # noqa: F811
    client.force_login(getattr(t, who))
    assert client.get(ADMIN).status_code == 200
    template = VotingRule(working_group=t.group, name="Two thirds, chambers equal")
    response = client.post(
        f"{ADMIN}new/", _fields(template, threshold="2/3", chamber_weighting="equal")
    )
    assert response.status_code == 302
    rule = VotingRule.objects.get(name="Two thirds, chambers equal")
    assert rule.threshold == "2/3" and rule.chamber_weighting == "equal"
    event = AuditEvent.objects.get(action="voting_rule.created", object_id=str(rule.pk))
    assert event.actor == getattr(t, who)
    assert "Two thirds, chambers equal" in client.get(ADMIN).text


def test_editing_how_a_rule_counts_is_refused_while_an_open_ballot_uses_it(
    client,
    t,  # noqa: F811
):
    make_ballot(t)  # open, counted by t.rule
    client.force_login(t.secretariat)
    page = client.get(f"{ADMIN}edit/{t.rule.pk}/")
    assert "how it counts may not" in page.text
    response = client.post(f"{ADMIN}edit/{t.rule.pk}/", _fields(t.rule, threshold="3/4"))
    assert response.status_code == 200  # the form again, with the reason
    assert "cannot change until that ballot closes" in response.text
    assert "Adopt version 2" in response.text  # which ballot
    t.rule.refresh_from_db()
    assert t.rule.threshold == "1/2"
    assert not AuditEvent.objects.filter(action="voting_rule.updated").exists()
    # Its name may change.
    response = client.post(f"{ADMIN}edit/{t.rule.pk}/", _fields(t.rule, name="Majority (2026)"))
    assert response.status_code == 302
    t.rule.refresh_from_db()
    assert t.rule.name == "Majority (2026)"
    # The service refuses whoever calls it.
    t.rule.quorum_percent = 50
    with pytest.raises(ValidationError, match="Copy the rule"):
        services.voting_rule_save(actor=t.chair, rule=t.rule)


def test_a_rule_used_only_by_drafts_or_closed_ballots_may_be_edited(t):  # noqa: F811
    make_ballot(t, open_it=False)
    t.rule.threshold = "2/3"
    services.voting_rule_save(actor=t.chair, rule=t.rule)
    assert VotingRule.objects.get(pk=t.rule.pk).threshold == "2/3"


def test_copy_makes_a_free_rule_that_counts_the_same(client, t):  # noqa: F811
    t.rule.threshold = "2/3"
    t.rule.quorum_percent = 40
    t.rule.save()
    make_ballot(t)
    client.force_login(t.chair)
    assert client.get(f"{ADMIN}copy/{t.rule.pk}/").status_code == 200
    response = client.post(f"{ADMIN}copy/{t.rule.pk}/", {"name": ""})
    copy = VotingRule.objects.get(name="Copy of Simple majority")
    assert response.status_code == 302 and response.url == f"{ADMIN}edit/{copy.pk}/"
    assert copy.as_snapshot() | {"name": ""} == t.rule.as_snapshot() | {"name": ""}
    assert AuditEvent.objects.filter(action="voting_rule.copied", object_id=str(copy.pk)).exists()
    # A second copy gets a free name; the copy may be edited though the original is in use.
    again = services.voting_rule_copy(actor=t.chair, rule=t.rule)
    assert again.name == "Copy of Simple majority (2)"
    copy.threshold = "3/4"
    services.voting_rule_save(actor=t.chair, rule=copy)
    client.post(f"{ADMIN}copy/{t.rule.pk}/", {"name": "Three quarters"})
    assert VotingRule.objects.filter(name="Three quarters", working_group=t.group).exists()


def test_preview_says_in_plain_words_how_the_rule_counts(client, t):  # noqa: F811
    t.rule.threshold = "2/3"
    t.rule.quorum_percent = 50
    t.rule.block_threshold = 2
    t.rule.chamber_weighting = "equal"
    t.rule.save()
    client.force_login(t.secretariat)
    page = client.get(f"{ADMIN}preview/{t.rule.pk}/").text
    assert "at least two thirds" in page
    assert "at least 50% of the eligible seats must take part" in page
    assert "2 or more votes against in any one chamber defeat the motion." in page
    assert "Each chamber weighs the same" in page
    # The worked example is counted by the tally engine: its own explanation.
    assert "Each chamber weighs 33.3 %." in page
    assert "Quorum met: 9 of 10 seats took part (50.0 % needed)." in page


@pytest.mark.parametrize("method", ["threshold", "iso", "consensus", "plurality"])
def test_every_method_explains_itself_in_every_language(method):
    snapshot = VotingRule(name="x", method=method).as_snapshot()
    for language in ("en", "fr", "sw"):
        with translation.override(language):
            explained = rule_explanation.explain(snapshot)
        assert explained.sentences and explained.example_result
        assert len(explained.example_votes) == 3


def test_others_reach_no_rule(client, t):  # noqa: F811
    other_group = WorkingGroupFactory()
    stranger = UserFactory()
    give_role(stranger, other_group, "secretariat")
    client.force_login(stranger)
    assert client.get(f"{ADMIN}edit/{t.rule.pk}/").status_code == 404
    assert client.get(f"{ADMIN}preview/{t.rule.pk}/").status_code == 404
    assert client.post(f"{ADMIN}copy/{t.rule.pk}/", {"name": "Mine"}).status_code == 404
    assert t.rule.name not in client.get(ADMIN).text
    with pytest.raises(PermissionDenied):
        services.voting_rule_copy(actor=stranger, rule=t.rule)
    client.force_login(t.holders[0])  # a seat holder has no admin
    assert client.get(ADMIN).status_code in (302, 403)
