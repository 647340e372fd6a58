"""Which band a declaration falls into: pure functions over plain band data, no ORM.

A band covers [min_tonnes, max_tonnes): the lower edge belongs to it, the upper edge
to the next band (120 t with bands 0–100, 100–500, 500+ is in the second; 100 t
too; 99.99 t in the first). A link's bands start at 0 and follow each other without
gap or overlap, the last one open-ended, so every declaration has exactly one band.
A link with no band pays nothing. A declared band (instead of tonnes) is that link's
band of the same tier.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from governance.models import ChainLink


@dataclass(frozen=True)
class Band:
    chain_link: str
    tier: str
    min_tonnes: Decimal
    max_tonnes: Decimal | None
    amount: Decimal


@dataclass(frozen=True)
class Assessment:
    """A declaration's place in a schedule: its band (None when the link pays nothing)
    and the yearly amount."""

    band: Band | None
    amount: Decimal

    @property
    def tier(self) -> str:
        return self.band.tier if self.band else ""


NOTHING_DUE = Assessment(None, Decimal(0))


class DeclarationError(ValueError):
    """A declaration that fits no band of a link that pays by band."""


def as_band(row) -> Band:
    """A band from anything with the fields (a ContributionBand, a dict's namespace)."""
    return Band(
        chain_link=row.chain_link,
        tier=row.tier,
        min_tonnes=Decimal(row.min_tonnes),
        max_tonnes=None if row.max_tonnes is None else Decimal(row.max_tonnes),
        amount=Decimal(row.amount),
    )


def link_bands(bands: Iterable[Band], chain_link: str) -> list[Band]:
    return sorted((b for b in bands if b.chain_link == chain_link), key=lambda b: b.min_tonnes)


def pays_by_band(bands: Iterable[Band], chain_link: str) -> bool:
    return bool(link_bands(bands, chain_link))


def assess(
    bands: Iterable[Band],
    chain_link: str,
    *,
    tonnes: Decimal | None = None,
    tier: str = "",
) -> Assessment:
    """The band and amount for a declaration. Tonnes win over a declared band when
    both are given. Raises DeclarationError when the link pays by band and the
    declaration is missing, negative or names a band the link does not have."""
    own = link_bands(bands, chain_link)
    if not own:
        return NOTHING_DUE
    if tonnes is not None:
        tonnes = Decimal(tonnes)
        if tonnes < 0:
            raise DeclarationError(_("Tonnes cannot be negative."))
        for band in own:
            if band.min_tonnes <= tonnes and (band.max_tonnes is None or tonnes < band.max_tonnes):
                return Assessment(band, band.amount)
        raise DeclarationError(
            _("No band of this link covers %(tonnes)s tonnes.") % {"tonnes": tonnes}
        )
    if tier:
        for band in own:
            if band.tier == tier:
                return Assessment(band, band.amount)
        raise DeclarationError(_("This link of the chain has no such band."))
    raise DeclarationError(_("Give your cobalt content per year in tonnes, or choose your band."))


def band_problems(bands: Iterable[Band]) -> list[str]:
    """What is wrong with a schedule's bands, in words for the secretariat: for each
    link, bands must start at 0, follow each other with no gap or overlap, and only
    the last may be open-ended; one tier once per link."""
    problems = []
    by_link: dict[str, list[Band]] = {}
    for band in bands:
        by_link.setdefault(band.chain_link, []).append(band)
    for code, own in sorted(by_link.items()):
        link = ChainLink(code).label if code in ChainLink.values else code
        own.sort(key=lambda b: b.min_tonnes)
        tiers = [b.tier for b in own]
        if len(set(tiers)) != len(tiers):
            problems.append(_("%(link)s: each band may appear only once.") % {"link": link})
        if own[0].min_tonnes != 0:
            problems.append(_("%(link)s: the first band must start at 0 tonnes.") % {"link": link})
        for before, after in zip(own, own[1:], strict=False):
            if before.max_tonnes is None or before.max_tonnes != after.min_tonnes:
                problems.append(
                    _("%(link)s: each band must start where the one before it ends.")
                    % {"link": link}
                )
                break
        if own[-1].max_tonnes is not None:
            problems.append(_("%(link)s: the last band must have no upper limit.") % {"link": link})
        for band in own:
            if band.max_tonnes is not None and band.max_tonnes <= band.min_tonnes:
                problems.append(
                    _("%(link)s: a band must end above where it starts.") % {"link": link}
                )
            if band.amount < 0:
                problems.append(_("%(link)s: an amount cannot be negative.") % {"link": link})
    return problems
