"""An invoice as a PDF, drawn from the stored invoice row in the current language."""

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from governance.pdf import CORE_FAMILY, UNICODE_FAMILY, latin1_safe, unicode_font_files

from .models import BandTier, Invoice


def _amount(value, currency: str) -> str:
    return f"{formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} {currency}"


def invoice_lines(invoice: Invoice) -> list[tuple[str, str]]:
    """The invoice's facts as (label, value) rows: what the PDF prints and tests read."""
    contribution = invoice.contribution
    organisation = contribution.organisation
    band = BandTier(contribution.tier).label if contribution.tier else _("No band: nothing due")
    return [
        (_("Invoice number"), invoice.number),
        (_("Issued on"), formats.date_format(invoice.issued_on, "DATE_FORMAT")),
        (_("Member organisation"), organisation.name),
        (_("Country"), str(organisation.country.name)),
        (_("Year"), str(contribution.year)),
        (_("Link in the chain"), contribution.get_chain_link_display()),
        (_("Band"), str(band)),
        (_("Yearly contribution"), _amount(contribution.amount, contribution.currency)),
        (_("Amount due"), _amount(invoice.amount_due, invoice.currency)),
    ]


def invoice_pdf(invoice: Invoice) -> bytes:
    pdf = FPDF(format="A4")
    fonts = unicode_font_files()
    if fonts:
        for style, path in fonts.items():
            pdf.add_font(UNICODE_FAMILY, style, str(path))
        family, clean = UNICODE_FAMILY, str
    else:
        family, clean = CORE_FAMILY, latin1_safe
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font(family, "B", 18)
    pdf.cell(0, 10, clean(settings.WAGTAIL_SITE_NAME), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, "", 12)
    pdf.cell(
        0,
        8,
        clean(_("Member contribution: invoice")),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6)
    for label, value in invoice_lines(invoice):
        pdf.set_font(family, "B", 11)
        pdf.cell(60, 8, clean(label))
        pdf.set_font(family, "", 11)
        pdf.multi_cell(0, 8, clean(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(family, "", 10)
    pdf.multi_cell(
        0,
        6,
        clean(
            _(
                "Contributions are pooled: they fund the alliance's work and its programme at "
                "the mine. Please quote the invoice number with your payment."
            )
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())
