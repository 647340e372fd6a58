"""Which governance texts exist in every site language (django-modeltranslation).

Each field below gains `<field>_en`, `<field>_fr` and `<field>_sw` columns; reading
`field` gives the active language's text, or the English source when there is none.
The workflow around them (draft, approved, out of date) is governance.translations.
"""

from modeltranslation.translator import TranslationOptions, register

from .models import (
    Ballot,
    BallotOption,
    Chamber,
    Decision,
    Organisation,
    Seat,
    VotingRule,
    WorkingGroup,
)


@register(WorkingGroup)
class WorkingGroupTranslation(TranslationOptions):
    fields = ("name", "mandate")


@register(Chamber)
class ChamberTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Seat)
class SeatTranslation(TranslationOptions):
    fields = ("label",)


@register(Organisation)
class OrganisationTranslation(TranslationOptions):
    fields = ("description",)


@register(VotingRule)
class VotingRuleTranslation(TranslationOptions):
    fields = ("name",)


@register(Ballot)
class BallotTranslation(TranslationOptions):
    fields = ("title", "motion")


@register(BallotOption)
class BallotOptionTranslation(TranslationOptions):
    fields = ("label",)


@register(Decision)
class DecisionTranslation(TranslationOptions):
    fields = ("title", "motion", "objections", "objections_resolution")
