"""Changing a draft's clauses: add, edit, delete, move, renumber (drafting versions only)."""

from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages

from .. import services
from ..models import Clause
from . import forms
from .base import FORM_TEMPLATE, ConfirmView, ServiceFormView, VersionActionView, VersionMixin


class ClauseFormView(VersionMixin, ServiceFormView):
    template_name = FORM_TEMPLATE
    form_class = forms.ClauseForm
    editable_only = True

    @cached_property
    def clause(self) -> Clause:
        if "clause_pk" in self.kwargs:
            return get_object_or_404(self.version.clauses, pk=self.kwargs["clause_pk"])
        return Clause(version=self.version)

    def get_page_title(self):
        if self.clause.pk:
            return _("Edit clause %(number)s") % {"number": self.clause.number}
        return _("Add a clause")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.clause}

    def get_initial(self):
        initial = super().get_initial()
        if not self.clause.pk:
            last = self.version.clauses.order_by("-order", "-pk").first()
            initial["level"] = last.level if last else 1
        return initial

    def call_service(self, form):
        clause = services.clause_save(actor=self.request.user, clause=form.save(commit=False))
        messages.success(self.request, _("Clause %(clause)s saved.") % {"clause": clause})
        return clause

    def success(self, clause):
        return HttpResponseRedirect(f"{self.detail_url}#clause-{clause.pk}")


class ClauseDeleteView(ConfirmView):
    editable_only = True
    serious = True
    confirm_label = gettext_lazy("Yes, delete this clause")

    @cached_property
    def clause(self) -> Clause:
        return get_object_or_404(self.version.clauses, pk=self.kwargs["clause_pk"])

    def get_page_title(self):
        return _("Delete clause %(number)s") % {"number": self.clause.number}

    def get_question(self):
        return _("Delete clause “%(clause)s” from version %(label)s?") % {
            "clause": self.clause,
            "label": self.version.label,
        }

    def perform(self):
        services.clause_delete(actor=self.request.user, clause=self.clause)
        return _("Clause %(clause)s deleted.") % {"clause": self.clause}


class ClauseMoveView(VersionActionView):
    """Swap a clause with its neighbour: reorders through `clauses_reorder`."""

    def perform(self):
        keys = list(self.version.clauses.order_by("order", "pk").values_list("key", flat=True))
        wanted = self.request.POST.get("clause", "")
        clause = get_object_or_404(self.version.clauses, pk=int(wanted) if wanted.isdigit() else 0)
        i = keys.index(clause.key)
        j = i - 1 if self.request.POST.get("direction") == "up" else i + 1
        if not 0 <= j < len(keys):
            raise ValidationError(
                _("Clause %(number)s cannot move further.") % {"number": clause.number}
            )
        keys[i], keys[j] = keys[j], keys[i]
        services.clauses_reorder(actor=self.request.user, version=self.version, keys=keys)
        self.moved = clause
        return _("Clause %(clause)s moved.") % {"clause": clause}

    def redirect_url(self):
        moved = getattr(self, "moved", None)
        return f"{self.detail_url}#clause-{moved.pk}" if moved else self.detail_url


class RenumberView(VersionActionView):
    def perform(self):
        services.version_renumber(actor=self.request.user, version=self.version)
        return _("The clauses of version %(label)s were renumbered.") % {
            "label": self.version.label
        }
