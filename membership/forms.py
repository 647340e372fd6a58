"""Public forms: applying to join, the contribution calculator, answering the
secretariat. They parse and render, with messages in the reader's language; the
services decide and store."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from governance.models import CHAIN_STAGES, SUPPORTING_LINKS, ChainLink

from .models import MAX_DESCRIPTION, MAX_MESSAGE, MAX_STATEMENT, BandTier

TOO_LONG = _("This text is too long: at most %(limit_value)s characters, you wrote %(show_value)s.")
NOT_IN_LIST = _("Choose your organisation's link in the chain from the list.")


def chain_link_choices(blank: str) -> list:
    """The links grouped as the map shows them: in the chain, then alongside it."""
    in_chain = [(value, ChainLink(value).label) for stage in CHAIN_STAGES for value in stage]
    alongside = [(value, ChainLink(value).label) for value in SUPPORTING_LINKS]
    return [
        ("", blank),
        (_("In the chain, from the mine to the product"), in_chain),
        (_("Alongside the chain"), alongside),
    ]


def _country_choices():
    return [("", _("Choose a country")), *countries]


class ApplicationForm(forms.Form):
    organisation_name = forms.CharField(
        label=_("Name of the organisation"),
        max_length=200,
        error_messages={
            "required": _("Give the name of your organisation."),
            "max_length": TOO_LONG,
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=_country_choices,
        error_messages={
            "required": _("Choose the country where the organisation is based."),
            "invalid_choice": _("Choose the country from the list."),
        },
    )
    website = forms.URLField(
        label=_("Website"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Give a web address, such as https://example.org.")},
    )
    description = forms.CharField(
        label=_("What the organisation does"),
        required=False,
        max_length=MAX_DESCRIPTION,
        error_messages={"max_length": TOO_LONG},
        help_text=_("A few lines for your public profile. At most %(n)s characters.")
        % {"n": MAX_DESCRIPTION},
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    chain_link = forms.ChoiceField(
        label=_("Link in the chain"),
        choices=chain_link_choices(_("Choose a link")),
        error_messages={"required": NOT_IN_LIST, "invalid_choice": NOT_IN_LIST},
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=150,
        error_messages={
            "required": _("Give the name of the contact person."),
            "max_length": TOO_LONG,
        },
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.EmailField(
        label=_("Contact email address"),
        error_messages={
            "required": _("Give the contact person's email address."),
            "invalid": _("Give an email address, such as name@example.org."),
        },
        help_text=_(
            "The contact gets an account when the organisation is admitted. Already have an "
            "account? Log in first, and give its address."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    statement = forms.CharField(
        label=_("Statement of intent"),
        max_length=MAX_STATEMENT,
        error_messages={
            "required": _("Tell us why your organisation wants to join."),
            "max_length": TOO_LONG,
        },
        help_text=_(
            "Why you want to join and what you bring to the table. At most %(n)s characters."
        )
        % {"n": MAX_STATEMENT},
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    declared_tonnes = forms.CharField(
        label=_("Cobalt content per year (tonnes)"),
        required=False,
        max_length=20,
        help_text=_(
            "Tonnes of cobalt content your organisation buys, processes or puts in its "
            "products each year. Cooperatives, governments, academia and civil society "
            "leave this empty."
        ),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    declared_tier = forms.ChoiceField(
        label=_("Or your band"),
        required=False,
        choices=[("", _("I give tonnes instead")), *BandTier.choices],
        error_messages={"invalid_choice": _("Choose one of the bands listed.")},
        help_text=_("If you prefer not to give tonnes, choose the band you belong to."),
    )
    competition_acknowledged = forms.BooleanField(
        label=_("I have read the competition-law notice and my organisation will keep to it."),
        error_messages={"required": _("Acknowledge the competition-law notice to apply.")},
    )


class CalculatorForm(forms.Form):
    """The calculator reads the query string (prefix "calc"), so it works as a plain
    GET form without JavaScript."""

    chain_link = forms.ChoiceField(
        label=_("Link in the chain"),
        choices=chain_link_choices(_("Choose a link")),
        error_messages={"required": NOT_IN_LIST, "invalid_choice": NOT_IN_LIST},
    )
    declared_tonnes = forms.CharField(
        label=_("Cobalt content per year (tonnes)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    declared_tier = forms.ChoiceField(
        label=_("Or your band"),
        required=False,
        choices=[("", _("I give tonnes instead")), *BandTier.choices],
        error_messages={"invalid_choice": _("Choose one of the bands listed.")},
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=MAX_MESSAGE,
        error_messages={"required": _("Write your answer."), "max_length": TOO_LONG},
        widget=forms.Textarea(attrs={"rows": 8}),
    )


class PublishForm(forms.Form):
    publish = forms.BooleanField(
        label=_("Publish our band and contribution on our public profile"), required=False
    )
