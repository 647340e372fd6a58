"""Decision pages: drafted from a recorded decision, published through the chair's
approval, showing the stored result with an accessible chart; consensus decisions."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.models import Locale, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from cms import charts, decisions
from cms.demo import decisions as demo_decisions
from cms.demo import pages
from cms.models import DecisionPage
from consultations.models import DraftVersion, Standard
from governance import services
from governance.models import (
    AuditEvent,
    Ballot,
    Chamber,
    Decision,
    VotingRule,
    WorkingGroupStatus,
)
from governance.services.decisions import decision_record_consensus
from tests.factories import (
    ChamberFactory,
    SeatFactory,
    UserFactory,
    WorkingGroupFactory,
    give_role,
    seat_person,
)


@pytest.fixture
def site(db):
    return pages.load()


@pytest.fixture
def register(site):
    return demo_decisions.register()


def make_scene(group, layout=(("Industry", 3), ("Artisanal miners", 3))):
    """A group with a chair, a secretariat and seats with holders, chamber by chamber."""
    chair = UserFactory(display_name="Amani Kabongo")
    secretariat = UserFactory(display_name="Claire Mutombo")
    give_role(chair, group, "chair")
    give_role(secretariat, group, "secretariat")
    seats = []
    for order, (name, size) in enumerate(layout):
        chamber = ChamberFactory(name=name, sort_order=order)
        seats += [
            SeatFactory(working_group=group, chamber=chamber, label=f"{name} {i}", sort_order=i)
            for i in range(size)
        ]
    holders = [seat_person(seat).person for seat in seats]
    rule = VotingRule.objects.create(working_group=group, name="Majority", threshold="1/2")
    return SimpleNamespace(
        group=group, chair=chair, secretariat=secretariat, seats=seats, holders=holders, rule=rule
    )


@pytest.fixture
def scene(group):
    return make_scene(group)


def certify(
    scene,
    votes,
    *,
    secrecy="roll_call",
    subject=None,
    title="Adopt version 2.0",
    motion="The group adopts version 2.0 of the cobalt framework.",
) -> Decision:
    """Run a ballot through the services: `votes` maps seat positions to choices."""
    now = timezone.now()
    ballot = services.ballot_save(
        actor=scene.chair,
        ballot=Ballot(
            working_group=scene.group,
            title=title,
            motion=motion,
            rule=scene.rule,
            secrecy=secrecy,
            opens_at=now - datetime.timedelta(minutes=1),
            closes_at=now + datetime.timedelta(days=2),
        ),
        subject=subject,
    )
    services.ballot_open(actor=scene.chair, ballot=ballot)
    for position, choice in votes.items():
        services.vote_cast(
            actor=scene.holders[position],
            ballot=ballot,
            seat=scene.seats[position],
            option_key=choice,
        )
    later = now + datetime.timedelta(days=3)
    services.ballot_close(actor=None, ballot=ballot, now=later)
    return services.ballot_certify(actor=scene.chair, ballot=ballot, now=later)


ADOPTING = {0: "for", 1: "for", 2: "against", 3: "for", 4: "abstain"}


def publish(page, rationale="<p>Because the pits need it.</p>", *, chair, secretariat):
    page = DecisionPage.objects.get(pk=page.pk)
    draft = page.get_latest_revision_as_object()
    draft.rationale = rationale
    draft.save_revision(user=secretariat)
    state = page.get_workflow().start(page, secretariat)
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, chair, "approve")
    page.refresh_from_db()
    return page


# --- Drafting ------------------------------------------------------------------------------


def test_certifying_a_ballot_drafts_an_unpublished_page(register, scene):
    decision = certify(scene, ADOPTING)
    page = DecisionPage.objects.get(decision=decision)
    assert page.get_parent().pk == register.pk
    assert not page.live and page.has_unpublished_changes
    assert page.title == "Adopt version 2.0" and page.slug == "adopt-version-20"
    assert page.get_latest_revision() is not None
    with pytest.raises(ValidationError):  # a ballot is certified once
        services.ballot_certify(actor=scene.chair, ballot=decision.ballot)
    assert decisions.draft_page(decision) == page  # idempotent
    assert DecisionPage.objects.count() == 1


def test_two_decisions_with_one_title_get_two_pages(register, scene):
    first = certify(scene, ADOPTING)
    second = certify(scene, ADOPTING)
    slugs = {p.slug for p in DecisionPage.objects.all()}
    assert slugs == {"adopt-version-20", f"adopt-version-20-{second.pk}"}
    assert first.pages.exists() and second.pages.exists()


def test_without_a_register_nothing_is_drafted_until_one_exists(site, scene, caplog):
    decision = certify(scene, ADOPTING)
    assert decision.pk and not DecisionPage.objects.exists()
    register = demo_decisions.register()
    (page,) = decisions.draft_missing_pages()
    assert page.decision == decision and page.get_parent().pk == register.pk
    assert decisions.draft_missing_pages() == []


def test_a_failure_to_draft_leaves_the_decision_recorded(register, scene, monkeypatch, caplog):
    def broken(decision):
        raise RuntimeError("the site is down")

    monkeypatch.setattr(decisions, "draft_page", broken)
    decision = certify(scene, ADOPTING)
    assert Decision.objects.filter(pk=decision.pk).exists()
    assert not DecisionPage.objects.exists()
    assert "Could not draft the page" in caplog.text


def test_a_decision_has_one_page_per_locale_and_may_be_translated(register, scene):
    decision = certify(scene, ADOPTING)
    (page,) = decision.pages.all()
    with pytest.raises(ValidationError):
        register.add_child(instance=DecisionPage(title="Again", slug="again", decision=decision))
    french = page.copy_for_translation(Locale.objects.get(language_code="fr"), copy_parents=True)
    assert french.decision == decision and french.locale.language_code == "fr"
    assert decisions.draft_page(decision) == page  # still the default language's page


def test_an_editor_adds_a_page_only_for_a_decision_without_one(client, register, scene, superuser):
    with_page = certify(scene, ADOPTING)
    decisions_without = Decision.objects.filter(pk=certify(scene, ADOPTING).pk)
    with_page.pages.all().delete()  # leaves `with_page` without a page ...
    decisions.draft_page(decisions_without.get())  # ... and gives the other one its page
    client.force_login(superuser)
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["cms", "decisionpage", register.pk])
    )
    assert response.status_code == 200
    choices = list(response.context["form"].fields["decision"].queryset)
    assert choices == [with_page]


# --- Publishing through the workflow --------------------------------------------------------


@pytest.fixture
def draft(register, scene):
    return DecisionPage.objects.get(decision=certify(scene, ADOPTING))


def edit_data(page, **extra):
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "rationale": rich_text("<p>The group weighed the miners' safety first.</p>"),
            "comments": inline_formset([]),
            **extra,
        }
    )


def test_the_register_carries_the_approval_workflow_and_secretariat_rights(register):
    assert register.get_workflow().name == "Decision approval"
    perms = set(register.group_permissions.values_list("group__name", "permission__codename"))
    assert perms == {
        ("Working-group secretariats", "add_page"),
        ("Working-group secretariats", "change_page"),
    }


def test_a_secretariat_cannot_publish_directly(client, draft, scene):
    secretariat = scene.secretariat
    assert draft.permissions_for_user(secretariat).can_edit()
    assert not draft.permissions_for_user(secretariat).can_publish()
    client.force_login(secretariat)
    url = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    client.post(url, edit_data(draft, **{"action-publish": "publish"}))
    draft.refresh_from_db()
    assert not draft.live
    with pytest.raises(PublishPagePermissionError):
        draft.get_latest_revision().publish(user=secretariat)


def test_the_secretariat_submits_and_the_groups_chair_approves(client, draft, scene):
    client.force_login(scene.secretariat)
    url = reverse("wagtailadmin_pages:edit", args=[draft.pk])
    response = client.post(url, edit_data(draft, **{"action-submit": "submit"}))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert not draft.live and draft.workflow_in_progress
    state = draft.current_workflow_state
    task_state = state.current_task_state
    assert task_state.task.specific.get_actions(draft, scene.secretariat) == []

    client.force_login(scene.chair)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", task_state.pk]
    )
    response = client.post(approve, {"comment": ""})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.live and not draft.has_unpublished_changes
    assert "miners' safety" in draft.rationale
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert draft.get_latest_revision().user == scene.secretariat


def test_a_chair_of_another_group_cannot_approve(client, draft, scene):
    other = UserFactory()
    give_role(other, WorkingGroupFactory(), "chair")
    state = draft.get_workflow().start(draft, scene.secretariat)
    task_state = state.current_task_state.specific
    task = task_state.task.specific
    assert task.get_actions(draft, other) == []
    assert task.locked_for_user(draft, other)
    assert [name for name, *_ in task.get_actions(draft, scene.chair)] == [
        "reject",
        "approve",
        "approve",
    ]
    assert list(task.get_task_states_user_can_moderate(other)) == []
    assert list(task.get_task_states_user_can_moderate(scene.chair)) == [task_state]

    client.force_login(other)
    approve = reverse(
        "wagtailadmin_pages:workflow_action", args=[draft.pk, "approve", task_state.pk]
    )
    response = client.post(approve, {"comment": ""})
    assert response.status_code == 302 and response.url == "/admin/"  # Wagtail's "denied"
    task_state.refresh_from_db()
    assert task_state.status == task_state.STATUS_IN_PROGRESS
    with pytest.raises(PermissionDenied):
        task.on_action(task_state, other, "approve")
    draft.refresh_from_db()
    assert not draft.live


def test_the_chair_may_send_it_back(draft, scene):
    state = draft.get_workflow().start(draft, scene.secretariat)
    task_state = state.current_task_state.specific
    task_state.task.specific.on_action(task_state, scene.chair, "reject", comment="Add the why.")
    state.refresh_from_db()
    draft.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES and not draft.live


# --- What the page shows --------------------------------------------------------------------


def test_a_published_page_shows_the_decision_and_an_accessible_chart(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    decision = page.decision
    html = client.get(page.url).content.decode()
    assert "The group adopts version 2.0 of the cobalt framework." in html
    assert "Adopted" in html and escape(decision.explanations["en"]) in html
    assert "Because the pits need it." in html
    assert f'href="/ballots/{decision.ballot_id}/bulletin/"' in html
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="decision-chart-title decision-chart-desc"' in svg
    assert '<title id="decision-chart-title">Votes by chamber</title>' in svg
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, re.S).group(1)
    assert "Industry: For 2, Against 1, Abstain 0; 3 of 3 seats took part." in desc
    assert "Artisanal miners: For 1, Against 0, Abstain 1; 2 of 3 seats took part." in desc
    assert 'class="decision-table"' in html and 'class="decision-turnout"' in html
    table = html[html.index('class="decision-table"') :]
    assert re.search(r"Industry</th>\s*<td>2</td><td>1</td><td>0</td>", table)


def test_the_explanation_is_in_the_readers_language(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    page.decision.explanations = {"en": "Adopted in English.", "fr": "Adoptée en français."}
    page.decision.save(update_fields=["explanations"])
    assert "Adoptée en français." in client.get(f"/fr{page.url}").content.decode()
    html = client.get(f"/sw{page.url}").content.decode()  # no Swahili text: English
    assert "Adopted in English." in html


def test_chambers_carry_their_name_in_the_readers_language_and_their_colour(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    Chamber.objects.filter(slug="artisanal-miners").update(name_sw="Wachimbaji wadogo")
    html = client.get(f"/sw{page.url}").content.decode()
    table = html[html.index('class="decision-table"') :]
    # the result was counted under the English name; the page shows the Swahili one
    assert re.search(
        r'<span class="chamber-mark chamber-artisanal-miners" aria-hidden="true"></span>'
        r"Wachimbaji wadogo</th>",
        table,
    )
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, re.S).group(0)
    assert 'class="chamber-mark chamber-industry"' in svg and "Wachimbaji wadogo" in svg
    # a chamber renamed since it was counted keeps its stored name, in a neutral colour
    Chamber.objects.filter(slug="industry").update(name_en="Companies", name="Companies")
    html = client.get(page.url).content.decode()
    assert '<span class="chamber-mark chamber-other" aria-hidden="true"></span>Industry' in html


def test_the_motion_is_in_the_readers_language_and_a_waiver_shows(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    decision = page.decision
    Ballot.objects.filter(pk=decision.ballot_id).update(
        translation_waiver="The Swahili translator was ill; read aloud at the meeting."
    )
    html = client.get(f"/sw{page.url}").content.decode()
    # Not translated: the English motion, marked as English, with a note saying so.
    assert '<div lang="en"><p>The group adopts version 2.0' in html
    assert "read aloud at the meeting" in html
    Decision.objects.filter(pk=decision.pk).update(
        motion_sw="Kikundi kinapitisha toleo la 2.0 la mfumo wa kobalti."
    )
    html = client.get(f"/fr{page.url}").content.decode()  # French: still English
    assert '<div lang="en"><p>The group adopts version 2.0' in html
    from django.core.cache import caches

    caches["default"].clear()  # the anonymous page cache (no service made this edit)
    html = client.get(f"/sw{page.url}").content.decode()
    assert "<p>Kikundi kinapitisha toleo la 2.0 la mfumo wa kobalti.</p>" in html
    assert '<div lang="en"><p>The group adopts' not in html


def test_a_draft_is_not_public(client, draft):
    assert client.get(f"/decisions/{draft.slug}/").status_code == 404


def test_the_page_names_the_standard_version_it_concerns(client, register, scene):
    standard = Standard.objects.create(
        title="ASM Cobalt Framework", slug="asm-cobalt-framework", working_group=scene.group
    )
    version = DraftVersion.objects.create(standard=standard, label="2.0")
    decision = certify(scene, ADOPTING, subject=version)
    page = publish(decision.pages.get(), chair=scene.chair, secretariat=scene.secretariat)
    html = client.get(page.url).content.decode()
    assert '<a href="/standards/asm-cobalt-framework/">ASM Cobalt Framework 2.0</a>' in html


def test_a_closed_groups_decision_is_not_public(client, draft, scene):
    page = publish(draft, chair=scene.chair, secretariat=scene.secretariat)
    scene.group.status = WorkingGroupStatus.CLOSED
    scene.group.save(update_fields=["status"])
    assert client.get(page.url).status_code == 404


# --- Secret ballots: small cells withheld ---------------------------------------------------


def test_a_secret_ballots_small_chambers_are_withheld_on_the_page(client, register, group):
    scene = make_scene(group, layout=(("Industry", 4), ("Government", 3), ("Artisanal miners", 2)))
    # Industry 4 votes (shown); Government 3 votes and miners 1 vote: the miners are below
    # min_cell 3, and Government, the smallest other chamber, is withheld with them.
    votes = {
        0: "for",
        1: "for",
        2: "for",
        3: "against",
        4: "for",
        5: "against",
        6: "for",
        7: "against",
    }
    decision = certify(scene, votes, secrecy="secret")
    page = publish(decision.pages.get(), chair=scene.chair, secretariat=scene.secretariat)
    html = client.get(page.url).content.decode()
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", html, re.S).group(1)
    assert "Industry: For 3, Against 1, Abstain 0; 4 of 4 seats took part." in desc
    assert "Government: 3 of 3 seats took part; the choices are withheld." in desc
    assert "Artisanal miners: 1 of 2 seats took part; the choices are withheld." in desc
    table = html[html.index('class="decision-table"') : html.index("</table>")]
    assert table.count(">withheld</td>") == 2
    assert re.search(r"Industry</th>\s*<td>3</td><td>1</td><td>0</td>", table)
    assert "fewer than 3 of its seats voted" in html


def test_public_rows_withhold_from_a_raw_result_too():
    result = {
        "chambers": [
            {
                "chamber": "A",
                "eligible": 5,
                "cast": 5,
                "counts": {"for": 5},
                "support_percent": 100.0,
            },
            {"chamber": "B", "eligible": 4, "cast": 4, "counts": {"for": 2, "against": 2}},
            {"chamber": "C", "eligible": 3, "cast": 2, "counts": {"for": 2}},
            {"chamber": "D", "eligible": 2, "cast": 0, "counts": {}},
        ]
    }
    secret = decisions.public_rows(result, secret=True, min_cell=3)
    assert [r.chamber for r in secret if r.withheld] == ["B", "C"]
    assert secret[0].counts == {"for": 5} and secret[3].counts == {}
    assert all(r.support_percent is None for r in secret if r.withheld)
    assert [r.cast for r in secret] == [5, 4, 2, 0]  # turnout stays public
    assert not any(r.withheld for r in decisions.public_rows(result, secret=False))
    # Applied again to what it published, it withholds the same chambers.
    published = {"chambers": [{**vars(r)} for r in secret]}
    assert [r.withheld for r in decisions.public_rows(published, secret=True, min_cell=3)] == [
        r.withheld for r in secret
    ]


def test_chart_numbers_stay_numbers_in_every_language():
    rows = decisions.public_rows(
        {
            "chambers": [
                {"chamber": "A", "eligible": 3, "cast": 2, "counts": {"for": 1, "against": 1}}
            ]
        },
        secret=False,
    )
    with translation.override("fr"):
        chart = charts.chamber_chart(rows, [("for", "Pour"), ("against", "Contre")])
    (bar,) = chart.bars
    assert [s.width for s in bar.segments] == ["200.0", "200.0"]
    assert [s.x for s in bar.segments] == ["0.0", "200.0"]
    assert charts.chamber_chart([], []) is None


# --- Consensus without a ballot -------------------------------------------------------------


def test_the_chair_records_a_consensus_and_its_page_is_drafted(client, register, scene):
    decision = decision_record_consensus(
        actor=scene.chair,
        group=scene.group,
        title="Open a second round",
        motion="Version 2.0 goes out for a second public round.",
        objections_noted="One buyer asked for a shorter round.\nOne cooperative asked for radio notices.",
    )
    assert decision.kind == Decision.Kind.CONSENSUS and decision.outcome == "adopted"
    assert decision.ballot is None and decision.tally is None
    assert set(decision.explanations) == {"en", "fr", "sw"}
    event = AuditEvent.objects.get(action="decision.recorded")
    assert event.is_public and event.object_id == str(decision.pk)
    page = publish(decision.pages.get(), chair=scene.chair, secretariat=scene.secretariat)
    html = client.get(page.url).content.decode()
    assert "Consensus without a ballot" in html
    assert "<li>One buyer asked for a shorter round.</li>" in html
    assert "<svg" not in html and "bulletin" not in html


@pytest.mark.parametrize(
    "change, error",
    [
        ({"actor": "stranger"}, PermissionDenied),
        ({"objections_resolution": "We talked."}, ValidationError),  # which objections?
        ({"title": "  "}, ValidationError),
        ({"motion": ""}, ValidationError),
        ({"title": "x" * 201}, ValidationError),
    ],
)
def test_a_consensus_is_refused_with_a_reason(scene, change, error):
    actors = {"chair": scene.chair, "secretariat": scene.secretariat, "stranger": UserFactory()}
    arguments = {"actor": "chair", "title": "Agree", "motion": "We agree.", **change}
    with pytest.raises(error):
        decision_record_consensus(
            actor=actors[arguments.pop("actor")], group=scene.group, **arguments
        )
    assert (
        not Decision.objects.exists()
        and not AuditEvent.objects.filter(action="decision.recorded").exists()
    )


def test_a_closed_group_records_no_consensus(scene):
    scene.group.status = WorkingGroupStatus.CLOSED
    scene.group.save(update_fields=["status"])
    with pytest.raises(ValidationError):
        decision_record_consensus(actor=scene.chair, group=scene.group, title="T", motion="M")
