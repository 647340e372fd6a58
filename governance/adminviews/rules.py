"""Voting rules in the admin: list, create, edit, copy and preview in plain words.

Chairs and secretariats reach the rules of the groups whose ballots they run
(`permissions.groups_with_ballots_run_by`). Saves go through
`services.voting_rule_save` (which refuses to change how a rule counts while an open
ballot uses it) and `services.voting_rule_copy`; the preview reads
`governance.rule_explanation`, which runs the tally engine on a worked example.
"""

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import BasePermissionPolicy

from .. import permissions, rule_explanation, services
from ..models import BallotStatus, VotingRule
from .forms import ScopedForm
from .views import ScopedIndexView, ServiceCreateView, ServiceEditView

ALLOWED = frozenset({"add", "change", "view"})


class VotingRulePolicy(BasePermissionPolicy):
    """Rules of the groups whose ballots the user runs; never deleted (ballots keep them)."""

    def user_has_permission(self, user, action):
        return action in ALLOWED and permissions.groups_with_ballots_run_by(user).exists()

    def user_has_permission_for_instance(self, user, action, instance):
        return action in ALLOWED and permissions.can_run_ballots(user, instance.working_group)

    def instances_user_has_any_permission_for(self, user, actions) -> QuerySet:
        rows = VotingRule.objects.all()
        if not ALLOWED.intersection(actions):
            return rows.none()
        return rows.filter(working_group__in=permissions.groups_with_ballots_run_by(user))

    def instances_user_has_permission_for(self, user, action) -> QuerySet:
        return self.instances_user_has_any_permission_for(user, [action])

    def users_with_any_permission(self, actions):
        return self.auth_model._default_manager.none()


class VotingRuleForm(ScopedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "working_group" in self.fields:
            self.fields["working_group"].queryset = permissions.groups_with_ballots_run_by(
                self.for_user
            )


def _in_use(rows):
    return rows.select_related("working_group").annotate(
        open_ballots=Count("ballots", filter=Q(ballots__status=BallotStatus.OPEN)),
        ballot_count=Count("ballots"),
    )


class RuleActions:
    """Copy and preview, from the listing and the edit page."""

    copy_url_name = None
    preview_url_name = None

    def rule_buttons(self, rule) -> list[tuple[str, str, str]]:
        pk = quote(rule.pk)
        return [
            (_("Preview in plain words"), reverse(self.preview_url_name, args=(pk,)), "view"),
            (_("Copy"), reverse(self.copy_url_name, args=(pk,)), "copy"),
        ]


class VotingRuleIndexView(RuleActions, ScopedIndexView):
    def get_base_queryset(self):
        return _in_use(super().get_base_queryset())

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for priority, (label, url, icon) in enumerate(self.rule_buttons(instance), start=30):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class RuleSave:
    def call_service(self, form):
        return services.voting_rule_save(actor=self.request.user, rule=form.save(commit=False))


class VotingRuleCreateView(RuleSave, ServiceCreateView):
    pass


class VotingRuleEditView(RuleActions, RuleSave, ServiceEditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, url, icon) in enumerate(self.rule_buttons(self.object), start=20):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object.ballots.filter(status=BallotStatus.OPEN).exists():
            messages.warning(
                request,
                _(
                    "A ballot that uses this rule is open: its name may change, how it counts "
                    "may not. To count differently, copy the rule and edit the copy."
                ),
            )
        return response


class RuleObjectView(WagtailAdminTemplateMixin, TemplateView):
    """A page about one rule within the user's reach (anything else is a 404)."""

    model = VotingRule
    permission_policy = None
    index_url_name = None
    edit_url_name = None
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission(request.user, "view"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def object(self) -> VotingRule:
        rules = self.permission_policy.instances_user_has_permission_for(
            self.request.user, "change"
        )
        return get_object_or_404(rules.select_related("working_group"), pk=self.kwargs["pk"])

    def get_page_subtitle(self):
        return str(self.object)

    @cached_property
    def edit_url(self):
        return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(self.index_url_name),
                "label": capfirst(VotingRule._meta.verbose_name_plural),
            },
            {"url": self.edit_url, "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]


class VotingRulePreviewView(RuleObjectView):
    template_name = "governance/admin/voting_rule_preview.html"
    page_title = gettext_lazy("The rule in plain words")
    header_icon = "view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            explanation=rule_explanation.explain(self.object.as_snapshot()),
            edit_url=self.edit_url,
        )
        return context


class VotingRuleCopyView(RuleObjectView):
    template_name = "governance/admin/voting_rule_copy.html"
    page_title = gettext_lazy("Copy voting rule")
    header_icon = "copy"
    copy_url_name = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            errors=getattr(self, "errors", []),
            name=self.request.POST.get("name", ""),
            action_url=reverse(self.copy_url_name, args=(quote(self.object.pk),)),
            cancel_url=self.edit_url,
        )
        return context

    def post(self, request, *args, **kwargs):
        try:
            copy = services.voting_rule_copy(
                actor=request.user, rule=self.object, name=request.POST.get("name", "")
            )
        except ValidationError as refusal:
            self.errors = refusal.messages
        except PermissionDenied as refusal:
            self.errors = [str(refusal) or _("You may not make this change.")]
        else:
            messages.success(
                request,
                _("Rule “%(rule)s” copied as “%(copy)s”: edit the copy below.")
                % {"rule": self.object, "copy": copy},
            )
            return redirect(self.edit_url_name, copy.pk)
        return self.render_to_response(self.get_context_data())


class VotingRuleViewSet(ModelViewSet):
    model = VotingRule
    name = "governance_votingrule"
    url_prefix = "governance/votingrule"
    icon = "tasks"
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    index_view_class = VotingRuleIndexView
    add_view_class = VotingRuleCreateView
    edit_view_class = VotingRuleEditView
    list_display = [
        "name",
        "working_group",
        "method",
        Column("open_ballots", label=gettext_lazy("Open ballots using it")),
        Column("ballot_count", label=gettext_lazy("Ballots using it")),
    ]
    search_fields = ["name"]
    panels = [
        FieldPanel("working_group"),
        FieldPanel("name"),
        FieldPanel("method"),
        FieldPanel("threshold"),
        FieldPanel("base"),
        FieldPanel("abstentions_count"),
        FieldPanel("quorum_percent"),
        FieldPanel("chamber_quorum_percent"),
        FieldPanel("chamber_weighting"),
        FieldPanel("block_threshold"),
        FieldPanel("allow_vote_change"),
        FieldPanel("allow_early_close"),
        FieldPanel("min_cell"),
    ]
    removed_views = frozenset({"delete", "history", "history_results", "usage"})

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=VotingRuleForm).bind_to_model(self.model)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            delete_url_name=None, history_url_name=None, usage_url_name=None, **kwargs
        )

    def _rule_urls(self) -> dict:
        return {
            "copy_url_name": self.get_url_name("copy"),
            "preview_url_name": self.get_url_name("preview"),
        }

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(**self._rule_urls(), **kwargs)

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(**self._rule_urls(), **kwargs)

    def _object_view(self, view_class, **extra):
        return view_class.as_view(
            permission_policy=self.permission_policy,
            index_url_name=self.get_url_name("index"),
            edit_url_name=self.get_url_name("edit"),
            **extra,
        )

    def get_urlpatterns(self):
        kept = [p for p in super().get_urlpatterns() if p.name not in self.removed_views]
        return [
            *kept,
            path(
                "copy/<int:pk>/",
                self._object_view(VotingRuleCopyView, copy_url_name=self.get_url_name("copy")),
                name="copy",
            ),
            path(
                "preview/<int:pk>/",
                self._object_view(VotingRulePreviewView),
                name="preview",
            ),
        ]
