"""Server-rendered SVG charts: the geometry is computed here, a template draws it.

A chart is a picture of a table that the page also prints (its text alternative): it
carries no figure that table lacks, so a withheld chamber is drawn as one grey bar of
the seats that took part, never split by choice. Numbers reach the SVG as preformatted
strings, so no locale turns 12.5 into "12,5" inside an attribute.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

WIDTH = 600
LABEL_HEIGHT = 20  # the line with the chamber's name above its bar
MARK = 12  # the square in the chamber's colour before its name
BAR_HEIGHT = 24
GAP = 14
MIN_WIDTH_FOR_NUMBER = 22  # a segment narrower than this prints no number inside

# Choice keys of the standard option sets, by meaning; custom choices cycle a palette.
STYLE_OF_CHOICE = {
    "for": "chart-yes",
    "consent": "chart-yes",
    "against": "chart-no",
    "objection": "chart-no",
    "abstain": "chart-abstain",
}
PALETTE = 6


@dataclass(frozen=True)
class Segment:
    label: str
    count: int
    x: str
    width: str
    text_x: str
    css: str
    show_count: bool


@dataclass(frozen=True)
class Bar:
    chamber: str
    colour: str  # the chamber's colour class, for the mark before its name
    summary: str
    label_y: str
    mark_y: str
    y: str
    text_y: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Chart:
    mark: int
    width: int
    height: int
    bar_height: int
    title: str
    desc: str
    bars: tuple[Bar, ...]
    legend: tuple[tuple[str, str], ...]  # (label, css class)


def _n(value: float) -> str:
    return f"{value:.1f}"


def choice_style(key: str, position: int) -> str:
    return STYLE_OF_CHOICE.get(key) or f"chart-choice-{position % PALETTE}"


def chamber_chart(rows: Sequence, options: Sequence[tuple[str, str]]) -> Chart | None:
    """Horizontal bars, one per chamber, as long as the chamber has seats: a segment per
    choice (its seats' count), a grey one for a withheld chamber's voters, and the rest
    of the bar empty for seats that did not vote. `rows` are cms.decisions.ChamberRow."""
    if not rows:
        return None
    styles = {key: choice_style(key, i) for i, (key, _label) in enumerate(options)}
    bars, sentences, any_withheld = [], [], False
    row_height = LABEL_HEIGHT + BAR_HEIGHT + GAP
    for index, row in enumerate(rows):
        top = index * row_height
        scale = WIDTH / row.eligible if row.eligible else 0
        segments, x = [], 0.0
        took_part = _("%(cast)s of %(eligible)s seats took part") % {
            "cast": row.cast,
            "eligible": row.eligible,
        }
        if row.counts is None:
            any_withheld = True
            parts = [(_("Took part, choices withheld"), row.cast, "chart-withheld")]
            sentences.append(
                _("%(chamber)s: %(took_part)s; the choices are withheld.")
                % {"chamber": row.chamber, "took_part": took_part}
            )
        else:
            parts = [(label, row.counts.get(key, 0), styles[key]) for key, label in options]
            counts = ", ".join(
                _("%(choice)s %(count)s") % {"choice": label, "count": count}
                for label, count, _css in parts
            )
            sentences.append(
                _("%(chamber)s: %(counts)s; %(took_part)s.")
                % {"chamber": row.chamber, "counts": counts, "took_part": took_part}
            )
        for label, count, css in parts:
            if not count:
                continue
            width = count * scale
            segments.append(
                Segment(
                    label=label,
                    count=count,
                    x=_n(x),
                    width=_n(width),
                    text_x=_n(x + width / 2),
                    css=css,
                    show_count=width >= MIN_WIDTH_FOR_NUMBER and css != "chart-withheld",
                )
            )
            x += width
        bars.append(
            Bar(
                chamber=row.chamber,
                colour=row.colour,
                summary=took_part,
                label_y=_n(top + LABEL_HEIGHT - 6),
                mark_y=_n(top + LABEL_HEIGHT - 6 - MARK + 1),
                y=_n(top + LABEL_HEIGHT),
                text_y=_n(top + LABEL_HEIGHT + BAR_HEIGHT / 2 + 5),
                segments=tuple(segments),
            )
        )
    legend = [(label, styles[key]) for key, label in options]
    if any_withheld:
        legend.append((_("Took part, choices withheld"), "chart-withheld"))
    legend.append((_("Did not vote"), "chart-seats"))
    return Chart(
        mark=MARK,
        width=WIDTH,
        height=len(rows) * row_height,
        bar_height=BAR_HEIGHT,
        title=_("Votes by chamber"),
        desc=" ".join(sentences),
        bars=tuple(bars),
        legend=tuple(legend),
    )
