"""Admin forms of the secretariat's review and bookkeeping: they parse input; the
services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from governance import permissions
from governance.models import Ballot, BallotStatus, Chamber

from ..models import MAX_MESSAGE


class AcceptForm(forms.Form):
    chamber = forms.ModelChoiceField(
        label=_("Chamber"),
        queryset=Chamber.objects.filter(parent__isnull=True),
        required=False,
        help_text=_("The chamber whose interests the organisation brings to the table."),
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("What would you like to know?"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant receives it by email with a link to answer."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant reads it in the email that tells them."),
    )


class AttachForm(forms.Form):
    ballot = forms.ModelChoiceField(
        label=_("Ballot"),
        queryset=Ballot.objects.none(),
        help_text=_("A draft or open ballot of a working group you run ballots in."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        groups = [
            g.pk
            for g in permissions.working_groups_managed_by(user)
            if permissions.can_run_ballots(user, g)
        ]
        self.fields["ballot"].queryset = (
            Ballot.objects.filter(
                working_group__in=groups, status__in=(BallotStatus.DRAFT, BallotStatus.OPEN)
            )
            .select_related("working_group")
            .order_by("-id")
        )


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount received"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(
        label=_("Received on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class AssessForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ScheduleForm(WagtailAdminModelForm):
    """The schedule's own validation (bands that follow each other) is the service's."""
