"""Decision pages follow their working group: a chair or secretariat acts on their own
group's decision pages only, through every admin URL (edit, preview, submit to the
approval workflow, approve). Wagtail grants page permissions to one shared Django
group on the whole register; cms.models.DecisionPagePermissionTester narrows them.

The matrix: role in group A × page of group A (own) or of group B (other) × action.
"""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from cms.demo import decisions as demo_decisions
from cms.demo import pages as demo_pages
from cms.models import DecisionPage
from governance.models import GroupRole
from tests.cms.test_decisions import ADOPTING, certify, edit_data, make_scene
from tests.factories import UserFactory, WorkingGroupFactory, give_role

ACTIONS = ("edit", "preview", "submit", "approve")
ALLOWED = {
    # role in group A: what they may do on A's pages; on B's pages, nothing.
    "chair": {"edit", "preview", "submit", "approve"},
    "secretariat": {"edit", "preview", "submit"},
    "member": set(),
}


@pytest.fixture
def register(db):
    demo_pages.load()
    return demo_decisions.register()


@pytest.fixture
def world(register):
    a, b = (
        make_scene(WorkingGroupFactory(name="Group A")),
        make_scene(WorkingGroupFactory(name="Group B")),
    )
    member = UserFactory()
    give_role(member, a.group, GroupRole.MEMBER)
    pages = {
        "own": DecisionPage.objects.get(decision=certify(a, ADOPTING, title="A decides")),
        "other": DecisionPage.objects.get(decision=certify(b, ADOPTING, title="B decides")),
    }
    return {"chair": a.chair, "secretariat": a.secretariat, "member": member}, pages, (a, b)


def attempt(client, action: str, page: DecisionPage, scenes) -> bool:
    """Try `action` on `page` through its admin URL; True if it took effect."""
    if action == "edit":
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        return response.status_code == 200 and b'name="rationale"' in response.content
    if action == "preview":
        url = reverse("wagtailadmin_pages:preview_on_edit", args=[page.pk])
        posted = client.post(url, edit_data(page))
        if posted.status_code != 200 or not posted.json().get("is_valid"):
            return False
        shown = client.get(url)
        return shown.status_code == 200 and b"safety first" in shown.content
    if action == "submit":
        client.post(
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            edit_data(page, **{"action-submit": "submit"}),
        )
        page.refresh_from_db()
        return page.workflow_in_progress
    # approve: the page's own secretariat has submitted it
    own_scene = next(s for s in scenes if s.group == page.decision.working_group)
    state = page.get_workflow().start(page, own_scene.secretariat)
    task_state = state.current_task_state
    client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk]),
        {"comment": ""},
    )
    page.refresh_from_db()
    state.refresh_from_db()
    return page.live and state.status == WorkflowState.STATUS_APPROVED


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("role", list(ALLOWED))
def test_decision_pages_follow_the_working_group(client, world, role, side, action):
    people, pages, scenes = world
    client.force_login(people[role])
    expected = side == "own" and action in ALLOWED[role]
    assert attempt(client, action, pages[side], scenes) is expected


def test_the_tester_refuses_every_page_action_on_another_groups_page(world):
    people, pages, _scenes = world
    for role in ("chair", "secretariat"):
        tester = pages["other"].permissions_for_user(people[role])
        assert not any(
            (
                tester.can_edit(),
                tester.can_delete(),
                tester.can_publish(),
                tester.can_copy(),
                tester.can_move(),
                tester.can_lock(),
            )
        ), role
        assert pages["own"].permissions_for_user(people[role]).can_edit()


def test_a_new_page_may_only_record_a_decision_of_ones_own_group(client, register, world):
    people, pages, (a, b) = world
    pages["own"].delete()
    pages["other"].delete()
    client.force_login(people["secretariat"])
    response = client.get(
        reverse("wagtailadmin_pages:add", args=["cms", "decisionpage", register.pk])
    )
    assert response.status_code == 200
    choices = list(response.context["form"].fields["decision"].queryset)
    assert [d.working_group for d in choices] == [a.group]
