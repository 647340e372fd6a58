"""The demo site's pages: home, the value-chain participation story, working groups."""

from django.conf import settings
from wagtail.models import Locale, Page, Site

from cms.models import ContentPage, HomePage, WorkingGroupIndexPage

HOME_INTRO = (
    "<p>Chaintable is where the artisanal-cobalt alliance governs itself in the open: "
    "mining cooperatives in Kolwezi, refiners, battery makers, carmakers, electronics brands, "
    "financiers, governments, researchers and civil society draft one shared standard, "
    "comment on every draft, vote through seats held by each constituency, and publish what "
    "they decided.</p>"
)

STORY = [
    ("heading", "Every link of the chain has a seat"),
    (
        "paragraph",
        "<p>Cobalt dug by hand in the Lualaba province travels through buying "
        "stations, refiners and cathode makers into the batteries of cars and phones. "
        "Decisions about how it is mined were long taken far from the pits. The alliance "
        "puts the people who dig, trade, refine, build and regulate at one table.</p>",
    ),
    (
        "chain_step",
        {
            "link": "Artisanal mining cooperatives",
            "text": "Bring the reality of the pits: safety, children's schooling, fair prices.",
        },
    ),
    (
        "chain_step",
        {
            "link": "Traders and refiners",
            "text": "Trace lots from the site to the furnace and open their books to audit.",
        },
    ),
    (
        "chain_step",
        {
            "link": "Battery, car and electronics makers",
            "text": "Commit to buying responsibly sourced artisanal cobalt instead of walking away.",
        },
    ),
    (
        "chain_step",
        {
            "link": "Governments and civil society",
            "text": "Hold everyone to the standard and keep the process honest.",
        },
    ),
    (
        "quote",
        {
            "quote": "For the first time our cooperative votes on the rules that govern our work.",
            "attribution": "A representative of a Kolwezi mining cooperative",
        },
    ),
]


def _tree_root() -> Page:
    """Wagtail's root page and default locale come from its migrations; a database
    emptied since (a flushed test database, a hand-cleaned one) needs them again."""
    root = Page.get_first_root_node()
    if root is None:
        locale, _ = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root


def load() -> HomePage:
    # The locales come from a migration; a database flushed since (a test's) lacks them.
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)
    home = HomePage.objects.first()
    if home is None:
        home = _tree_root().add_child(
            instance=HomePage(
                title="Chaintable",
                slug="home-chaintable",
                tagline="The whole chain, at one table.",
                intro=HOME_INTRO,
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        old_root = site.root_page if site else None
        if site is None:
            Site.objects.create(
                hostname="localhost", root_page=home, is_default_site=True, site_name="Chaintable"
            )
        else:
            site.root_page, site.site_name = home, "Chaintable"
            site.save()
        # Wagtail's placeholder "Welcome" page has no use once the home page exists.
        if old_root is not None and old_root.specific_class is Page:
            old_root.delete()
    if not ContentPage.objects.filter(slug="value-chain-participation").exists():
        home.add_child(
            instance=ContentPage(
                title="Value chain participation",
                slug="value-chain-participation",
                intro="How the whole cobalt chain takes part in setting its own standard.",
                body=STORY,
            )
        )
    if not WorkingGroupIndexPage.objects.exists():
        home.add_child(
            instance=WorkingGroupIndexPage(
                title="Working groups",
                slug="working-groups",
                intro="<p>The groups that draft, consult on and decide the alliance's standard.</p>",
            )
        )
    return home
