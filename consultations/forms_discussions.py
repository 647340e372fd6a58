"""Forms of the discussion pages. They parse and render; the services decide and save."""

import uuid

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MAX_MESSAGE_LENGTH

# Formatted when shown, in the reader's language (not once, at import).
_too_long = lazy(
    lambda: gettext("Keep your message to at most %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH},
    str,
)
_plain_text = lazy(
    lambda: gettext("Plain text, up to %(n)s characters.") % {"n": MAX_MESSAGE_LENGTH}, str
)


def _body_field() -> forms.CharField:
    return forms.CharField(
        label=_("Your message"),
        max_length=MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_MESSAGE_LENGTH}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _too_long(),
        },
        help_text=_plain_text(),
    )


class MessageForm(forms.Form):
    """A new message. The idempotency key is made when the form is shown, so a double
    submit (or a retry after a lost connection) gives one message."""

    body = _body_field()
    idempotency_key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
    next = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class MessageEditForm(forms.Form):
    body = _body_field()


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])


class SensitiveTermForm(forms.Form):
    term = forms.CharField(label=_("Word or phrase"), max_length=100)
    working_group = forms.ChoiceField(label=_("Applies to"))

    EVERYWHERE = "all"

    def __init__(self, *args, groups=(), everywhere: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(self.EVERYWHERE, _("Every working group"))] if everywhere else []
        choices += [(str(g.pk), g.name) for g in groups]
        self.fields["working_group"].choices = choices
        self._groups = {str(g.pk): g for g in groups}

    def clean_working_group(self):
        value = self.cleaned_data["working_group"]
        return None if value == self.EVERYWHERE else self._groups[value]
