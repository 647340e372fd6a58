"""The demo pages in French and Swahili, translated through wagtail-localize by the
secretariat (cms.translation.pages.page_translate), English being the source."""

from cms.models import (
    ContentPage,
    DecisionIndexPage,
    DecisionPage,
    HomePage,
    WorkingGroupIndexPage,
)
from cms.translation.pages import page_translate
from governance.models import User

HOME = {
    "fr": {
        "Chaintable": "Chaintable",
        "The whole chain, at one table.": "Toute la chaîne, autour d'une même table.",
        "Chaintable is where the artisanal-cobalt alliance governs itself in the open: "
        "mining cooperatives in Kolwezi, refiners, battery makers, carmakers, electronics "
        "brands, financiers, governments, researchers and civil society draft one shared "
        "standard, comment on every draft, vote through seats held by each constituency, "
        "and publish what they decided.": (
            "Chaintable est le lieu où l'alliance du cobalt artisanal se gouverne à découvert : "
            "coopératives minières de Kolwezi, raffineurs, fabricants de batteries, "
            "constructeurs automobiles, marques d'électronique, financeurs, gouvernements, "
            "chercheurs et société civile rédigent une norme commune, commentent chaque projet, "
            "votent par les sièges de chaque collège et publient ce qu'ils ont décidé."
        ),
    },
    "sw": {
        "Chaintable": "Chaintable",
        "The whole chain, at one table.": "Mnyororo mzima, kwenye meza moja.",
        "Chaintable is where the artisanal-cobalt alliance governs itself in the open: "
        "mining cooperatives in Kolwezi, refiners, battery makers, carmakers, electronics "
        "brands, financiers, governments, researchers and civil society draft one shared "
        "standard, comment on every draft, vote through seats held by each constituency, "
        "and publish what they decided.": (
            "Chaintable ni mahali ambapo muungano wa kobalti ya wachimbaji wadogo unajiongoza "
            "hadharani: vyama vya ushirika vya wachimbaji wa Kolwezi, wasafishaji, watengenezaji "
            "wa betri, watengenezaji wa magari, chapa za vifaa vya elektroniki, wafadhili, "
            "serikali, watafiti na mashirika ya kiraia huandaa kiwango kimoja cha pamoja, "
            "hutoa maoni kuhusu kila rasimu, hupiga kura kupitia viti vya kila kundi, na "
            "huchapisha walichoamua."
        ),
    },
}

STORY = {
    "fr": {
        "Value chain participation": "La participation de toute la chaîne de valeur",
        "How the whole cobalt chain takes part in setting its own standard.": (
            "Comment toute la chaîne du cobalt participe à l'élaboration de sa propre norme."
        ),
        "Every link of the chain has a seat": "Chaque maillon de la chaîne a un siège",
        "Cobalt dug by hand in the Lualaba province travels through buying stations, "
        "refiners and cathode makers into the batteries of cars and phones. Decisions about "
        "how it is mined were long taken far from the pits. The alliance puts the people who "
        "dig, trade, refine, build and regulate at one table.": (
            "Le cobalt extrait à la main dans la province du Lualaba passe par les comptoirs "
            "d'achat, les raffineurs et les fabricants de cathodes avant d'entrer dans les "
            "batteries des voitures et des téléphones. Les décisions sur la manière de "
            "l'extraire ont longtemps été prises loin des puits. L'alliance réunit autour d'une "
            "même table ceux qui creusent, négocient, raffinent, fabriquent et réglementent."
        ),
        "Artisanal mining cooperatives": "Les coopératives minières artisanales",
        "Bring the reality of the pits: safety, children's schooling, fair prices.": (
            "Apportent la réalité des puits : la sécurité, la scolarité des enfants, des prix "
            "justes."
        ),
        "Traders and refiners": "Les négociants et les raffineurs",
        "Trace lots from the site to the furnace and open their books to audit.": (
            "Tracent les lots du site jusqu'au four et ouvrent leurs comptes à l'audit."
        ),
        "Battery, car and electronics makers": (
            "Les fabricants de batteries, de voitures et d'électronique"
        ),
        "Commit to buying responsibly sourced artisanal cobalt instead of walking away.": (
            "S'engagent à acheter du cobalt artisanal d'origine responsable au lieu de s'en "
            "détourner."
        ),
        "Governments and civil society": "Les gouvernements et la société civile",
        "Hold everyone to the standard and keep the process honest.": (
            "Veillent à ce que chacun respecte la norme et à ce que le processus reste honnête."
        ),
        "For the first time our cooperative votes on the rules that govern our work.": (
            "Pour la première fois, notre coopérative vote les règles qui encadrent notre travail."
        ),
        "A representative of a Kolwezi mining cooperative": (
            "Un représentant d'une coopérative minière de Kolwezi"
        ),
    },
    "sw": {
        "Value chain participation": "Ushiriki wa mnyororo mzima wa thamani",
        "How the whole cobalt chain takes part in setting its own standard.": (
            "Jinsi mnyororo mzima wa kobalti unavyoshiriki katika kuweka kiwango chake wenyewe."
        ),
        "Every link of the chain has a seat": "Kila kiungo cha mnyororo kina kiti",
        "Cobalt dug by hand in the Lualaba province travels through buying stations, "
        "refiners and cathode makers into the batteries of cars and phones. Decisions about "
        "how it is mined were long taken far from the pits. The alliance puts the people who "
        "dig, trade, refine, build and regulate at one table.": (
            "Kobalti inayochimbwa kwa mikono katika jimbo la Lualaba hupita kwenye vituo vya "
            "ununuzi, kwa wasafishaji na kwa watengenezaji wa kathodi hadi kwenye betri za "
            "magari na simu. Kwa muda mrefu maamuzi kuhusu jinsi inavyochimbwa yalifanywa mbali "
            "na mashimo. Muungano unawaweka kwenye meza moja wanaochimba, wanaofanya biashara, "
            "wanaosafisha, wanaotengeneza na wanaosimamia."
        ),
        "Artisanal mining cooperatives": "Vyama vya ushirika vya wachimbaji wadogo",
        "Bring the reality of the pits: safety, children's schooling, fair prices.": (
            "Huleta hali halisi ya mashimo: usalama, masomo ya watoto, bei za haki."
        ),
        "Traders and refiners": "Wafanyabiashara na wasafishaji",
        "Trace lots from the site to the furnace and open their books to audit.": (
            "Hufuatilia kila shehena kutoka mgodini hadi tanuruni na hufungua hesabu zao "
            "zikaguliwe."
        ),
        "Battery, car and electronics makers": (
            "Watengenezaji wa betri, magari na vifaa vya elektroniki"
        ),
        "Commit to buying responsibly sourced artisanal cobalt instead of walking away.": (
            "Hujitolea kununua kobalti ya wachimbaji wadogo inayopatikana kwa uwajibikaji "
            "badala ya kuikimbia."
        ),
        "Governments and civil society": "Serikali na mashirika ya kiraia",
        "Hold everyone to the standard and keep the process honest.": (
            "Huhakikisha kila mtu anafuata kiwango na mchakato unabaki wa haki."
        ),
        "For the first time our cooperative votes on the rules that govern our work.": (
            "Kwa mara ya kwanza chama chetu cha ushirika kinapiga kura juu ya kanuni "
            "zinazoongoza kazi yetu."
        ),
        "A representative of a Kolwezi mining cooperative": (
            "Mwakilishi wa chama cha ushirika cha wachimbaji cha Kolwezi"
        ),
    },
}

GROUPS_INDEX = {
    "fr": {
        "Working groups": "Groupes de travail",
        "The groups that draft, consult on and decide the alliance's standard.": (
            "Les groupes qui rédigent la norme de l'alliance, la soumettent à consultation et "
            "en décident."
        ),
    },
    "sw": {
        "Working groups": "Vikundi kazi",
        "The groups that draft, consult on and decide the alliance's standard.": (
            "Vikundi vinavyoandaa kiwango cha muungano, kukiweka kwa mashauriano na kukiamua."
        ),
    },
}

REGISTER = {
    "fr": {
        "Decision register": "Registre des décisions",
        "Every decision the working groups took, with the motion, the outcome, how each "
        "chamber voted and why. Search it, or filter it by working group, standard, year and "
        "outcome.": (
            "Toutes les décisions prises par les groupes de travail, avec la motion, le "
            "résultat, le vote de chaque collège et la raison. Cherchez-y, ou filtrez par groupe "
            "de travail, norme, année et résultat."
        ),
    },
    "sw": {
        "Decision register": "Daftari la maamuzi",
        "Every decision the working groups took, with the motion, the outcome, how each "
        "chamber voted and why. Search it, or filter it by working group, standard, year and "
        "outcome.": (
            "Kila uamuzi uliofanywa na vikundi kazi, pamoja na hoja, matokeo, jinsi kila kundi "
            "lilivyopiga kura na sababu. Tafuta ndani yake, au chuja kwa kikundi kazi, kiwango, "
            "mwaka na matokeo."
        ),
    },
}

DECISIONS = {
    "fr": {
        "Open a second public comment round on version 2.0": (
            "Ouvrir une seconde consultation publique sur la version 2.0"
        ),
        "Four clauses changed and one was added after the first round. Everyone affected "
        "should be able to comment on the new text before the framework is put to a vote.": (
            "Quatre clauses ont changé et une a été ajoutée après la première consultation. "
            "Toutes les personnes concernées doivent pouvoir commenter le nouveau texte avant "
            "que le cadre ne soit mis au vote."
        ),
        "Adopt the 2027 work plan": "Adopter le plan de travail 2027",
        "The 2027 work plan puts the alliance's money where the pits are: site-safety "
        "training in Kolwezi, the lot-tracing pilot with the provincial mining division, and "
        "travel so that artisanal miners' representatives attend every meeting in person.": (
            "Le plan de travail 2027 place l'argent de l'alliance là où sont les puits : la "
            "formation à la sécurité des sites à Kolwezi, le projet pilote de traçabilité des "
            "lots avec la division provinciale des mines, et les déplacements pour que les "
            "représentants des mineurs artisanaux assistent en personne à chaque réunion."
        ),
        "Industry asked for a smaller training budget; the plan keeps it and phases the "
        "tracing pilot over two years instead.": (
            "L'industrie demandait un budget de formation plus réduit ; le plan le maintient et "
            "étale plutôt le projet pilote de traçabilité sur deux ans."
        ),
    },
    "sw": {
        "Open a second public comment round on version 2.0": (
            "Kufungua awamu ya pili ya maoni ya umma kuhusu toleo la 2.0"
        ),
        "Four clauses changed and one was added after the first round. Everyone affected "
        "should be able to comment on the new text before the framework is put to a vote.": (
            "Vifungu vinne vilibadilika na kimoja kiliongezwa baada ya awamu ya kwanza. Kila "
            "anayehusika anapaswa kuweza kutoa maoni kuhusu maandishi mapya kabla mfumo "
            "haujapigiwa kura."
        ),
        "Adopt the 2027 work plan": "Kupitisha mpango kazi wa 2027",
        "The 2027 work plan puts the alliance's money where the pits are: site-safety "
        "training in Kolwezi, the lot-tracing pilot with the provincial mining division, and "
        "travel so that artisanal miners' representatives attend every meeting in person.": (
            "Mpango kazi wa 2027 unaweka fedha za muungano pale yalipo mashimo: mafunzo ya "
            "usalama wa migodi huko Kolwezi, majaribio ya ufuatiliaji wa shehena pamoja na "
            "kitengo cha madini cha jimbo, na safari ili wawakilishi wa wachimbaji wadogo "
            "wahudhurie kila mkutano ana kwa ana."
        ),
        "Industry asked for a smaller training budget; the plan keeps it and phases the "
        "tracing pilot over two years instead.": (
            "Sekta ya viwanda iliomba bajeti ndogo ya mafunzo; mpango unaibakiza na badala yake "
            "unagawa majaribio ya ufuatiliaji katika miaka miwili."
        ),
    },
}


def load(people: dict[str, User]) -> None:
    """Translate each demo page into French and Swahili (the tree in order: parents first).
    Runs after the decision pages are published; repeating it changes nothing."""
    translator = people["secretariat"]
    pages: list = [
        (HomePage.objects.first(), HOME),
        (ContentPage.objects.filter(slug="value-chain-participation").first(), STORY),
        (WorkingGroupIndexPage.objects.first(), GROUPS_INDEX),
        (DecisionIndexPage.objects.first(), REGISTER),
    ]
    pages += [
        (page, DECISIONS)
        for page in DecisionPage.objects.filter(locale__language_code="en", live=True)
    ]
    for page, strings in pages:
        if page is None or page.locale.language_code != "en":
            continue
        translated = set(page.get_translations().values_list("locale__language_code", flat=True))
        for language in sorted({"fr", "sw"} - translated):
            page_translate(
                page=page,
                language=language,
                strings=strings[language],
                user=translator,
                publisher=people["chair"] if isinstance(page, DecisionPage) else translator,
            )
