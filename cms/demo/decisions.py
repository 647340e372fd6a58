"""The decision register: the certified ballot's decision and a consensus of the ASM
Cobalt Framework, both published through the "Decision approval" workflow.

Runs after cms.demo.ballots: that ballot was certified before the register existed, so
its page is drafted here (cms.decisions.draft_missing_pages).
"""

import datetime

from django.utils import timezone

from cms import decisions
from cms.models import DecisionIndexPage, DecisionPage, HomePage
from governance.models import Decision, User, WorkingGroup
from governance.services.decisions import decision_record_consensus

REGISTER_INTRO = (
    "<p>Every decision the working groups took, with the motion, the outcome, how each "
    "chamber voted and why. Search it, or filter it by working group, standard, year and "
    "outcome.</p>"
)

WORK_PLAN_RATIONALE = (
    "<p>The 2027 work plan puts the alliance's money where the pits are: site-safety "
    "training in Kolwezi, the lot-tracing pilot with the provincial mining division, and "
    "travel so that artisanal miners' representatives attend every meeting in person.</p>"
    "<p>Industry asked for a smaller training budget; the plan keeps it and phases the "
    "tracing pilot over two years instead.</p>"
)

CONSENSUS = {
    "title": "Open a second public comment round on version 2.0",
    "motion": (
        "The ASM Cobalt Framework working group puts version 2.0 of the framework out for a "
        "second public comment round of 60 days, as the first round changed it materially."
    ),
    "objections_noted": (
        "Kanina Buying Station asked for a 45-day round to speed up adoption; the group kept "
        "60 days, the alliance's minimum for a public round."
    ),
}
CONSENSUS_RATIONALE = (
    "<p>Four clauses changed and one was added after the first round. Everyone affected "
    "should be able to comment on the new text before the framework is put to a vote.</p>"
)


def register() -> DecisionIndexPage:
    index = DecisionIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(
            instance=DecisionIndexPage(
                title="Decision register", slug="decisions", intro=REGISTER_INTRO
            )
        )
    decisions.wire_register(index)  # done on creation; repeated for registers made before
    return index


def publish(page: DecisionPage, rationale: str, secretariat: User, chair: User) -> DecisionPage:
    """The secretariat writes the rationale and submits; the chair approves (publishes)."""
    if page.live:
        return page
    draft = page.get_latest_revision_as_object()
    draft.rationale = rationale
    draft.save_revision(user=secretariat, log_action=True)
    workflow_state = page.get_workflow().start(page, secretariat)
    task_state = workflow_state.current_task_state.specific
    task_state.task.specific.on_action(task_state, chair, "approve")
    page.refresh_from_db()
    return page


def load(people: dict[str, User]) -> None:
    secretariat, chair = people["secretariat"], people["chair"]
    register()
    framework = WorkingGroup.objects.get(name="ASM Cobalt Framework")
    consensus = Decision.objects.filter(
        working_group=framework, kind=Decision.Kind.CONSENSUS, title=CONSENSUS["title"]
    ).first()
    if consensus is None:
        consensus = decision_record_consensus(
            actor=chair,
            group=framework,
            now=timezone.now() - datetime.timedelta(days=12),
            **CONSENSUS,
        )
    decisions.draft_missing_pages()
    work_plan = Decision.objects.filter(
        ballot__working_group__name="Steering Committee", ballot__title="Adopt the 2027 work plan"
    ).first()
    for decision, rationale in ((work_plan, WORK_PLAN_RATIONALE), (consensus, CONSENSUS_RATIONALE)):
        page = DecisionPage.objects.filter(decision=decision).first() if decision else None
        if page is not None:
            publish(page, rationale, secretariat, chair)
