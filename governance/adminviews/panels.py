"""Read-only panels for the working-group edit page."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import Panel

from ..models import WorkingGroup
from ..services import composition_shortfalls


def composition_status(group: WorkingGroup) -> list[dict]:
    """Each composition rule of the stored group with its shortfall (0 = met), in words."""
    lines = []
    for rule, short in composition_shortfalls(group).items():
        status = _("met") if not short else _("short by %(n)s") % {"n": short}
        lines.append({"rule": rule, "short": short, "text": f"{rule} — {status}"})
    return lines


class CompositionPanel(Panel):
    """How the group's current seats measure up to its rules, as stored (not as edited)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("heading", _("Composition status"))
        super().__init__(**kwargs)

    class BoundPanel(Panel.BoundPanel):
        template_name = "governance/admin/composition_panel.html"

        def is_shown(self):
            return bool(self.instance and self.instance.pk)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            stored = WorkingGroup.objects.get(pk=self.instance.pk)
            context["lines"] = composition_status(stored)
            return context
