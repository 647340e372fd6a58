"""The decision register: one page per governance Decision, and the register listing them.

A DecisionPage is drafted when a decision is recorded (cms/decisions.py), then goes
through the "Decision approval" workflow: the secretariat writes the rationale and
submits, and a chair of the decision's own working group approves, which publishes it.
The page shows stored results only; it never counts.
"""

import contextvars

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PagePermissionTester, Task, TaskState, WorkflowState
from wagtail.search import index
from wagtail.signals import workflow_approved

from governance import permissions
from governance.models import Decision, WorkingGroup, WorkingGroupStatus

# Who is publishing a decision page right now, when it went through DecisionPage.publish
# (the chair's approval, a bulk publication, a scheduled one). Wagtail's edit view
# publishes without it; its revision was then just saved by the person publishing.
PUBLISHER: contextvars.ContextVar = contextvars.ContextVar("decision_page_publisher")


class DecisionIndexPage(Page):
    """The decision register: every published decision, filtered and searched (GET form)."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.DecisionPage"]

    class Meta:
        verbose_name = _("decision register")

    def get_context(self, request, *args, **kwargs):
        from ..decisions import register_context

        context = super().get_context(request, *args, **kwargs)
        context.update(register_context(self, request))
        return context


class DecisionPageForm(WagtailAdminPageForm):
    """A page records one decision, chosen once: among those with no page in its locale."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("decision")
        if field is None:
            return
        if self.instance.pk:
            field.disabled = True
        else:
            field.queryset = (
                Decision.objects.exclude(pages__locale_id=self.instance.locale_id)
                .filter(
                    working_group__in=permissions.groups_with_decision_pages_editable_by(
                        self.for_user
                    )
                )
                .select_related("working_group")
            )


class DecisionPage(Page):
    # A decision's page may be translated (Wagtail locales); `clean` allows one per locale.
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="pages"
    )
    rationale = RichTextField(
        _("rationale"),
        blank=True,
        help_text=_("Why the group decided this, in plain words. Written by the secretariat."),
    )

    content_panels = [*Page.content_panels, FieldPanel("decision"), FieldPanel("rationale")]
    base_form_class = DecisionPageForm
    parent_page_types = ["cms.DecisionIndexPage"]
    subpage_types: list[str] = []

    # The register filters through the decision, so its filters are declared here too.
    search_fields = [
        *Page.search_fields,
        index.SearchField("rationale"),
        index.RelatedFields(
            "decision",
            [
                index.SearchField("motion"),
                index.SearchField("explanations"),  # every language's explanation
                index.SearchField("objections"),
                index.FilterField("working_group"),
                index.FilterField("outcome"),
                index.FilterField("decided_at"),
                index.RelatedFields("working_group", [index.FilterField("status")]),
                index.RelatedFields(
                    "ballot", [index.FilterField("subject_type"), index.FilterField("subject_id")]
                ),
            ],
        ),
    ]

    class Meta:
        verbose_name = _("decision page")

    def permissions_for_user(self, user):
        return DecisionPagePermissionTester(user, self)

    def publish(self, revision, user=None, **kwargs):
        """Publish as `user`, in one transaction with its audit record (the
        `page_published` receiver, cms.decisions.on_page_published, records it)."""
        token = PUBLISHER.set(user)
        try:
            with transaction.atomic():
                return super().publish(revision, user=user, **kwargs)
        finally:
            PUBLISHER.reset(token)

    def clean(self):
        # One page per decision in each locale. Not a database constraint: the locale is a
        # column of wagtailcore_page, and translations must be able to share the decision.
        super().clean()
        twins = DecisionPage.objects.filter(decision_id=self.decision_id, locale_id=self.locale_id)
        if self.decision_id and twins.exclude(pk=self.pk).exists():
            raise ValidationError({"decision": _("This decision already has a page.")})

    def serve(self, request, *args, **kwargs):
        # A closed group's record leaves the public site with the group (as its page does).
        if self.decision.working_group.status == WorkingGroupStatus.CLOSED:
            raise Http404
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..decisions import decision_context

        context = super().get_context(request, *args, **kwargs)
        context.update(decision_context(self))
        return context


def _decision_group(obj) -> WorkingGroup | None:
    """The working group whose decision `obj` (a page, maybe not the specific one) records."""
    if isinstance(obj, DecisionPage):
        return obj.decision.working_group
    page = (
        DecisionPage.objects.select_related("decision__working_group")
        .filter(pk=getattr(obj, "pk", None))
        .first()
    )
    return page.decision.working_group if page else None


class DecisionPagePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, narrowed to the decision's own working group.

    The secretariats' Django group holds "add" and "change" on the whole register
    (cms.decisions.wire_register), because Wagtail grants page permissions to Django
    groups on a subtree; a person keeps them on a decision page only if they may edit
    that group's decision pages (governance.permissions.can_edit_decision_pages). Edit,
    preview, submit, revisions, copy, move and delete all ask this tester; approval
    asks ChairApprovalTask, scoped to the group's chair the same way."""

    def __init__(self, user, page):
        super().__init__(user, page)
        if user.is_active and not user.is_superuser:
            group = _decision_group(page)
            if group is None or not permissions.can_edit_decision_pages(user, group):
                self.permissions = set()
            elif not permissions.can_certify_results(user, group):
                # Publishing is the chair's (through the approval workflow).
                self.permissions -= {"publish"}


class ChairApprovalTask(Task):
    """Approval by a chair of the decision's own working group.

    Wagtail's group approval knows Django groups, not "the chair of *this* page's group":
    this task asks governance.permissions.can_certify_results instead. Approving the
    last task publishes the page even though chairs hold no site-wide publish
    permission on pages: the approval itself is the authority, scoped to one group.
    """

    class Meta:
        verbose_name = _("chair approval task")
        verbose_name_plural = _("chair approval tasks")

    @classmethod
    def get_description(cls):
        return _("A chair of the decision's working group approves it; approval publishes it.")

    def user_can_approve(self, obj, user) -> bool:
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        group = _decision_group(obj)
        return group is not None and permissions.can_certify_results(user, group)

    def user_can_access_editor(self, obj, user):
        return self.user_can_approve(obj, user)

    def locked_for_user(self, obj, user):
        return not self.user_can_approve(obj, user)

    def user_can_lock(self, obj, user):
        return self.user_can_approve(obj, user)

    def get_actions(self, obj, user):
        if not self.user_can_approve(obj, user):
            return []
        return [
            ("reject", _("Request changes"), True),
            ("approve", _("Approve and publish"), False),
            ("approve", _("Approve with comment"), True),
        ]

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        if user.is_superuser:
            return states
        page_ids = [int(pk) for pk in states.values_list("workflow_state__object_id", flat=True)]
        pages = list(
            DecisionPage.objects.filter(pk__in=page_ids).values_list(
                "pk", "decision__working_group_id"
            )
        )
        groups = WorkingGroup.objects.in_bulk({group_id for _pk, group_id in pages})
        allowed = [
            str(pk)
            for pk, group_id in pages
            if permissions.can_certify_results(user, groups[group_id])
        ]
        return states.filter(workflow_state__object_id__in=allowed)

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        workflow_state = task_state.workflow_state
        page = workflow_state.content_object
        if not self.user_can_approve(page, user):
            raise PermissionDenied
        if action_name != "approve":
            return super().on_action(task_state, user, action_name, **kwargs)
        task_state.approve(user=user, update=False, **kwargs)
        if workflow_state.get_next_task() is not None:
            workflow_state.update(user=user)
            return None
        # As WorkflowState.finish(), with the publication authorised by this approval.
        workflow_state.status = WorkflowState.STATUS_APPROVED
        workflow_state.save()
        page.get_latest_revision().publish(user=user, skip_permission_checks=True)
        workflow_approved.send(sender=WorkflowState, instance=workflow_state, user=user)
        return None
