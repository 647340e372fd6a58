"""Forms of the ballot pages. They shape input; the services decide what is allowed."""

import datetime
import uuid
import zoneinfo

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import AssistedVoteAttestation, Ballot, OptionSet, User, VotingRule
from .source_text import SourceTextFormMixin

MAX_SCAN_BYTES = 5 * 1024 * 1024
MAX_REASON = 2000

# The option set each counting method reads (see governance/tally.py).
OPTION_SET_FOR_METHOD = {
    VotingRule.Method.THRESHOLD: OptionSet.MOTION,
    VotingRule.Method.ISO: OptionSet.MOTION,
    VotingRule.Method.CONSENSUS: OptionSet.CONSENT,
    VotingRule.Method.PLURALITY: OptionSet.CUSTOM,
}


class ZonedDateTimeField(forms.DateTimeField):
    """A date and time typed and shown in a given zone (the group's reference zone),
    whatever the zone of the person filling in the form."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def __init__(self, *, zone: datetime.tzinfo | None = None, **kwargs):
        self.zone = zone
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(self.zone or timezone.get_current_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value) and self.zone:
            return timezone.make_naive(value, self.zone)
        return super().prepare_value(value)


class BallotForm(SourceTextFormMixin, forms.ModelForm):
    """A new ballot of one working group; times in the group's reference zone."""

    custom_choices = forms.CharField(
        label=_("Custom choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for “custom choices”: one choice per line, at least two."),
    )

    class Meta:
        model = Ballot
        fields = ["title", "motion", "option_set", "rule", "secrecy", "opens_at", "closes_at"]
        field_classes = {"opens_at": ZonedDateTimeField, "closes_at": ZonedDateTimeField}
        widgets = {
            "motion": forms.Textarea(attrs={"rows": 4}),
            "option_set": forms.RadioSelect,
            "secrecy": forms.RadioSelect,
        }

    def __init__(self, *args, group, **kwargs):
        kwargs.setdefault("instance", Ballot(working_group=group))
        super().__init__(*args, **kwargs)
        self.group = group
        zone = zoneinfo.ZoneInfo(group.reference_time_zone)
        for name in ("opens_at", "closes_at"):
            self.fields[name].zone = zone
            self.fields[name].help_text = gettext("In the group's reference time (%(zone)s).") % {
                "zone": group.reference_time_zone
            }
        self.fields["rule"].queryset = VotingRule.objects.filter(working_group=group)
        self.fields["rule"].empty_label = None

    def clean_custom_choices(self) -> list[tuple[str, str, bool]]:
        labels = [line.strip() for line in self.cleaned_data["custom_choices"].splitlines()]
        choices, keys = [], set()
        for n, label in enumerate((label for label in labels if label), start=1):
            key = slugify(label)[:40] or f"choice-{n}"
            if key in keys:
                raise forms.ValidationError(
                    gettext("Two choices read the same: “%(label)s”.") % {"label": label}
                )
            keys.add(key)
            choices.append((key, label[:120], False))
        return choices

    def clean(self):
        data = super().clean()
        option_set, rule = data.get("option_set"), data.get("rule")
        if option_set == OptionSet.CUSTOM and len(data.get("custom_choices") or []) < 2:
            self.add_error("custom_choices", gettext("Give at least two choices, one per line."))
        if rule and option_set and OPTION_SET_FOR_METHOD.get(rule.method) != option_set:
            self.add_error(
                "option_set",
                gettext("The rule “%(rule)s” counts %(options)s.")
                % {
                    "rule": rule.name,
                    "options": OptionSet(OPTION_SET_FOR_METHOD[rule.method]).label,
                },
            )
        if option_set == OptionSet.CONSENT and data.get("secrecy") == "secret":
            # Sustained objections carry reasons that are answered in the open.
            self.add_error("secrecy", gettext("A consent ballot cannot be secret."))
        return data

    @property
    def options(self) -> list[tuple[str, str, bool]] | None:
        if self.cleaned_data.get("option_set") == OptionSet.CUSTOM:
            return self.cleaned_data["custom_choices"]
        return None


class VoteForm(forms.Form):
    """One seat's vote: a choice among the ballot's options, and a reason where needed.

    The idempotency key is made when the form is shown, and carried through the
    confirmation step: the same form sent twice (a double click, a retry after a lost
    answer) casts once and answers with the first receipt. `confirmed` is set by the
    confirmation step of a vote that cannot be changed afterwards."""

    option = forms.ChoiceField(
        label=_("Your choice"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("That choice is not on this ballot.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, ballot: Ballot, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        options = list(ballot.options.all())
        self.fields["option"].choices = [(o.key, gettext(o.label)) for o in options]
        needing = [gettext(o.label) for o in options if o.requires_reason]
        self.needs_reason = bool(needing)
        if needing:
            self.fields["reason"].help_text = gettext("Required if you choose: %(options)s.") % {
                "options": ", ".join(needing)
            }
        else:
            self.fields["reason"].help_text = gettext("Optional.")

    def confirmation_fields(self) -> list[tuple[str, str]]:
        """The hidden fields of the confirmation step: this submission, confirmed."""
        data = self.cleaned_data
        return [
            (self.add_prefix("option"), data["option"]),
            (self.add_prefix("reason"), data["reason"]),
            (self.add_prefix("idempotency_key"), data["idempotency_key"]),
            (self.add_prefix("confirmed"), "1"),
        ]


class DelegationForm(forms.Form):
    username = forms.CharField(label=_("Proxy's username"), max_length=150)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        self.proxy = User.objects.filter(username__iexact=username, is_active=True).first()
        if self.proxy is None:
            raise forms.ValidationError(gettext("No active person has that username."))
        return username


class ConsensusForm(forms.Form):
    """A decision the working group reached without a ballot."""

    title = forms.CharField(label=_("Title"), max_length=200)
    motion = forms.CharField(label=_("What was decided"), widget=forms.Textarea(attrs={"rows": 4}))
    objections_noted = forms.CharField(
        label=_("Objections heard"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One objection a line; leave empty if none was raised."),
    )
    objections_resolution = forms.CharField(
        label=_("How they were resolved"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why no objection was sustained: what changed, what was answered."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class PrintLinkForm(forms.Form):
    witness = forms.CharField(
        label=_("Witness"),
        max_length=200,
        help_text=_("Who sees the link printed and handed to its holder."),
    )


class AssistedVoteForm(VoteForm):
    """A facilitator records the vote a miner representative gave in person, on paper
    or by phone, with its attestation."""

    seat = forms.TypedChoiceField(label=_("Seat"), coerce=int)
    mode = forms.ChoiceField(
        label=_("How the vote was given"),
        choices=AssistedVoteAttestation.Mode.choices,
        widget=forms.RadioSelect,
    )
    witness = forms.CharField(label=_("Witness"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    scan = forms.FileField(
        label=_("Scan of the paper ballot or signed attestation"),
        required=False,
        help_text=_("Optional. PDF, JPEG or PNG, at most 5 MB."),
        validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png"])],
    )

    field_order = ["seat", "option", "reason", "mode", "witness", "note", "scan"]

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].choices = [(entry.seat_id, entry.seat.label) for entry in seats]

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan and scan.size > MAX_SCAN_BYTES:
            raise forms.ValidationError(gettext("The scan may be at most 5 MB."))
        return scan
