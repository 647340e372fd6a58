"""No seat votes on a text it cannot read: a ballot opens only once its title, motion
and options are approved in the preferred language of everyone on its roll, or with
a waiver the secretariat recorded (with its reason, audited)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from ... import audit, permissions
from ...models import Ballot, BallotStatus, TranslationStatus
from .._base import refuse, require
from ..translations import TARGETS, status_of
from .drafting import DEFAULT_OPTIONS


def translation_gaps(ballot: Ballot, languages) -> list[tuple[str, str]]:
    """(text, language name) for each text of the ballot not approved in a language.
    Options of the standard sets ("For", "Consent", …) come translated with the site."""
    names = dict(settings.LANGUAGES)
    standard = {key for key, _label, _reason in DEFAULT_OPTIONS.get(ballot.option_set, [])}
    gaps = []
    for language in sorted(set(languages) & set(TARGETS)):
        texts = [(ballot, "title", _("the title")), (ballot, "motion", _("the motion"))]
        texts += [
            (option, "label", _("the choice “%(label)s”") % {"label": option.label_en})
            for option in ballot.options.all()
            if option.key not in standard
        ]
        for record, field, name in texts:
            if status_of(record, field, language) != TranslationStatus.APPROVED:
                gaps.append((name, str(names[language])))
    return gaps


def refuse_unreadable(ballot: Ballot, languages) -> None:
    """Call from ballot_open, with the roll's languages."""
    if ballot.translation_waiver:
        return
    gaps = translation_gaps(ballot, languages)
    if gaps:
        listed = "; ".join(
            _("%(text)s in %(language)s") % {"text": text, "language": language}
            for text, language in gaps
        )
        refuse(
            _(
                "This ballot cannot open: people on its roll read a language its texts "
                "are not approved in (%(gaps)s). Have the translations approved, or "
                "record a waiver with its reason."
            )
            % {"gaps": listed}
        )


def refuse_unreadable_for_proxy(ballot: Ballot, proxy) -> None:
    """Call from delegation_grant: a proxy named once the ballot is open must read it
    too (the roll was checked at opening; a proxy joins it later)."""
    if ballot.translation_waiver or not proxy.preferred_language:
        return
    gaps = translation_gaps(ballot, [proxy.preferred_language])
    if gaps:
        refuse(
            _(
                "%(name)s reads %(language)s, and this ballot's texts are not approved in "
                "it yet (%(gaps)s). Choose another proxy, or ask the secretariat to have "
                "the translations approved."
            )
            % {
                "name": proxy.public_name,
                "language": gaps[0][1],
                "gaps": "; ".join(text for text, _language in gaps),
            },
            "proxy",
        )


@transaction.atomic
def ballot_waive_translations(*, actor, ballot: Ballot, reason: str) -> Ballot:
    """The secretariat lets a draft ballot open before its translations are approved;
    the reason is shown on the ballot and recorded in the audit log."""
    ballot = Ballot.objects.select_for_update().select_related("working_group").get(pk=ballot.pk)
    require(
        permissions.can_approve_translations(actor, ballot.working_group),
        _("Only the secretariat approves translations."),
    )
    if ballot.status != BallotStatus.DRAFT:
        refuse(_("Only a draft ballot can be opened."))
    reason = (reason or "").strip()
    if not reason:
        refuse(_("Give the reason for opening without every translation."), "reason")
    ballot.translation_waiver = reason
    ballot.save(update_fields=["translation_waiver"])
    audit.record(
        actor=actor,
        action="ballot.translation_waived",
        obj=ballot,
        working_group=ballot.working_group,
        payload={"reason": reason},
    )
    return ballot
