from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"


class ChainStepBlock(blocks.StructBlock):
    """One link of the value chain in a participation story."""

    link = blocks.CharBlock(label=_("Link in the chain"))
    text = blocks.TextBlock(label=_("What this link brings to the table"))

    class Meta:
        icon = "link"
        template = "cms/blocks/chain_step.html"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"))
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(label=_("Or a web address"), required=False)

    class Meta:
        icon = "pick"
        template = "cms/blocks/call_to_action.html"


class StoryStreamBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(
        label=_("Paragraph"), features=["bold", "italic", "link", "ol", "ul"]
    )
    image = ImageBlock(label=_("Image"))
    quote = QuoteBlock()
    chain_step = ChainStepBlock()
    call_to_action = CallToActionBlock()
