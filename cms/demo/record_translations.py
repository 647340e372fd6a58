"""The demo's governance records in French and Swahili, through the translation workflow:
the demo `translator` drafts each text, the `secretariat` approves it
(governance.services.translations), English being the source.

Two texts are left as a demo of the workflow's marks:
- the Steering Committee's mandate was edited in English after its translations were
  approved, so they show as out of date;
- the "Fund the independent grievance mechanism" ballot has no Swahili motion, so it
  stays a draft: a Swahili reader holds a seat on its roll (cms.demo.ballots).

Translations are keyed by their English text; French follows the glossary's typography
(a no-break space before `:` and `;`, typographic apostrophes)."""

import re

from consultations.models import Clause, Consultation, Disposition, Standard
from governance import services, translations
from governance.models import (
    Ballot,
    BallotOption,
    Chamber,
    Decision,
    Organisation,
    Seat,
    User,
    VotingRule,
    WorkingGroup,
)
from governance.models.translations import TranslationStatus

from .registry import MANDATE, STEERING_MANDATE

# The English edit made after the mandate's translations were approved.
STEERING_MANDATE_REVISED = (
    "<p>Steer the alliance: set priorities, approve work plans and budgets, certify the "
    "working groups' results, and report to the members once a year.</p>"
)

HELD_BACK_TITLE = "Fund the independent grievance mechanism"
HELD_BACK_MOTION = (
    "The Steering Committee allocates 40,000 US dollars of the 2027 budget to the "
    "grievance mechanism run independently of buyers."
)

# English → (French, Swahili); None: deliberately not translated.
TEXTS: dict[str, tuple[str, str | None]] = {
    # Working groups and the standard they draft
    "Steering Committee": ("Comité de pilotage", "Kamati ya Uongozi"),
    "ASM Cobalt Framework": (
        "Cadre pour le cobalt de l’EMAPE",
        "Mfumo wa Kobalti ya Wachimbaji Wadogo",
    ),
    MANDATE: (
        "<p>Rédiger le Cadre pour le cobalt de l’EMAPE, le soumettre à consultation et le "
        "tenir à jour : la norme commune pour un cobalt artisanal responsable, écrite avec "
        "chaque maillon de la chaîne autour de la table.</p>",
        "<p>Kuandaa Mfumo wa Kobalti ya Wachimbaji Wadogo, kuutolea maoni na kuudumisha: "
        "kiwango cha pamoja cha kobalti ya wachimbaji wadogo inayopatikana kwa uwajibikaji, "
        "kilichoandikwa huku kila sehemu ya mnyororo ikiwa mezani.</p>",
    ),
    STEERING_MANDATE: (
        "<p>Piloter l’alliance : fixer les priorités, approuver les plans de travail et les "
        "budgets, et certifier les résultats des groupes de travail.</p>",
        "<p>Kuongoza muungano: kuweka vipaumbele, kuidhinisha mipango ya kazi na bajeti, na "
        "kuthibitisha matokeo ya vikundi kazi.</p>",
    ),
    "The shared standard for responsible artisanal cobalt.": (
        "La norme commune pour un cobalt artisanal responsable.",
        "Kiwango cha pamoja cha kobalti ya wachimbaji wadogo inayopatikana kwa uwajibikaji.",
    ),
    # Chambers and sub-chambers
    "Industry": ("Industrie", "Viwanda"),
    "Government": ("Gouvernement", "Serikali"),
    "Civil society": ("Société civile", "Mashirika ya kiraia"),
    "Artisanal miners": ("Exploitants miniers artisanaux", "Wachimbaji wadogo"),
    "Upstream industry": ("Industrie en amont", "Viwanda vya mkondo wa juu"),
    "Downstream industry": ("Industrie en aval", "Viwanda vya mkondo wa chini"),
    # Voting rules
    "Two thirds, chambers weigh equally": (
        "Deux tiers, chambres à poids égal",
        "Theluthi mbili, chemba zina uzito sawa",
    ),
    "ISO approval": ("Approbation ISO", "Idhini ya ISO"),
    "Consensus": ("Consensus", "Maafikiano"),
    # Ballots, their choices and decisions
    "Adopt the 2027 work plan": (
        "Adopter le plan de travail 2027",
        "Kupitisha mpango wa kazi wa 2027",
    ),
    "The Steering Committee adopts the alliance's 2027 work plan and budget.": (
        "Le Comité de pilotage adopte le plan de travail et le budget 2027 de l’alliance.",
        "Kamati ya Uongozi inapitisha mpango wa kazi na bajeti ya muungano ya mwaka 2027.",
    ),
    "Admit three new cooperatives": (
        "Admettre trois nouvelles coopératives",
        "Kupokea vyama vitatu vipya vya ushirika",
    ),
    "The alliance admits the three Kolwezi cooperatives whose applications were reviewed "
    "in October.": (
        "L’alliance admet les trois coopératives de Kolwezi dont les demandes d’adhésion ont "
        "été examinées en octobre.",
        "Muungano unapokea vyama vitatu vya ushirika vya Kolwezi ambavyo maombi yao "
        "yalipitiwa mwezi Oktoba.",
    ),
    HELD_BACK_TITLE: (
        "Financer le mécanisme de plainte indépendant",
        "Kufadhili utaratibu huru wa malalamiko",
    ),
    HELD_BACK_MOTION: (
        "Le Comité de pilotage affecte 40 000 dollars américains du budget 2027 au mécanisme "
        "de plainte géré indépendamment des acheteurs.",
        None,  # held back: the ballot cannot open until its Swahili motion is approved
    ),
    "For": ("Pour", "Kuunga mkono"),
    "Against": ("Contre", "Kupinga"),
    "Abstain": ("Abstention", "Kujizuia"),
    "Open a second public comment round on version 2.0": (
        "Ouvrir un second tour de commentaires publics sur la version 2.0",
        "Kufungua awamu ya pili ya maoni ya umma kuhusu toleo 2.0",
    ),
    "The ASM Cobalt Framework working group puts version 2.0 of the framework out for a "
    "second public comment round of 60 days, as the first round changed it materially.": (
        "Le groupe de travail Cadre pour le cobalt de l’EMAPE soumet la version 2.0 du cadre "
        "à un second tour de commentaires publics de 60 jours, le premier tour l’ayant "
        "modifiée en profondeur.",
        "Kikundi kazi cha Mfumo wa Kobalti ya Wachimbaji Wadogo kinatoa toleo 2.0 la mfumo "
        "kwa awamu ya pili ya maoni ya umma ya siku 60, kwa kuwa awamu ya kwanza "
        "ililibadilisha kwa kiasi kikubwa.",
    ),
    "Kanina Buying Station asked for a 45-day round to speed up adoption; the group kept "
    "60 days, the alliance's minimum for a public round.": (
        "Kanina Buying Station a demandé un tour de 45 jours pour accélérer l’adoption ; le "
        "groupe a maintenu 60 jours, le minimum de l’alliance pour un tour public.",
        "Kanina Buying Station iliomba awamu ya siku 45 ili kuharakisha upitishaji; kikundi "
        "kilibaki na siku 60, muda wa chini wa muungano kwa awamu ya umma.",
    ),
    # Clauses of the standard (headings, then bodies of version 1.0 and 2.0)
    "Scope": ("Champ d’application", "Wigo"),
    "Definitions": ("Définitions", "Maana ya maneno"),
    "Site safety": ("Sécurité des sites", "Usalama wa maeneo ya uchimbaji"),
    "Pit stability": ("Stabilité des puits", "Uimara wa mashimo"),
    "Protective equipment": ("Équipement de protection", "Vifaa vya kujikinga"),
    "Children": ("Enfants", "Watoto"),
    "Traceability": ("Traçabilité", "Ufuatiliaji wa asili ya madini"),
    "Fair pricing": ("Prix équitables", "Bei za haki"),
    "Grievances": ("Plaintes", "Malalamiko"),
    "Women on site": ("Les femmes sur les sites", "Wanawake katika maeneo ya uchimbaji"),
    "This framework applies to artisanal and small-scale cobalt mining sites in the Lualaba "
    "and Haut-Katanga provinces, and to every buyer of their ore.": (
        "Le présent cadre s’applique aux sites d’exploitation minière artisanale et à petite "
        "échelle de cobalt des provinces du Lualaba et du Haut-Katanga, ainsi qu’à tout "
        "acheteur de leur minerai.",
        "Mfumo huu unatumika kwa maeneo ya uchimbaji wa kobalti wa wachimbaji wadogo katika "
        "majimbo ya Lualaba na Haut-Katanga, na kwa kila mnunuzi wa madini yao.",
    ),
    "Artisanal miner: a person who extracts ore by hand or with light tools on an authorised "
    "artisanal mining zone.": (
        "Exploitant minier artisanal : personne qui extrait du minerai à la main ou à l’aide "
        "d’outils légers dans une zone d’exploitation artisanale autorisée.",
        "Mchimbaji mdogo: mtu anayechimba madini kwa mikono au kwa zana nyepesi katika eneo "
        "lililoidhinishwa la uchimbaji mdogo.",
    ),
    "Each site has a named safety officer and a written plan for pit stability.": (
        "Chaque site dispose d’un responsable de la sécurité désigné et d’un plan écrit de "
        "stabilité des puits.",
        "Kila eneo la uchimbaji lina afisa wa usalama aliyetajwa kwa jina na mpango "
        "ulioandikwa wa uimara wa mashimo.",
    ),
    "Pits deeper than 10 metres are shored and inspected every week.": (
        "Les puits de plus de 10 mètres de profondeur sont étayés et inspectés chaque semaine.",
        "Mashimo yenye kina cha zaidi ya mita 10 yanaimarishwa kwa nguzo na kukaguliwa kila wiki.",
    ),
    "Pits deeper than 10 metres are shored, inspected every week by the safety officer, and "
    "closed after heavy rain until inspected again.": (
        "Les puits de plus de 10 mètres de profondeur sont étayés, inspectés chaque semaine "
        "par le responsable de la sécurité et fermés après de fortes pluies jusqu’à une "
        "nouvelle inspection.",
        "Mashimo yenye kina cha zaidi ya mita 10 yanaimarishwa kwa nguzo, yanakaguliwa kila "
        "wiki na afisa wa usalama, na yanafungwa baada ya mvua kubwa hadi yatakapokaguliwa "
        "tena.",
    ),
    "Miners receive helmets, boots and gloves at no cost.": (
        "Les mineurs reçoivent gratuitement casques, bottes et gants.",
        "Wachimbaji hupewa kofia ngumu, buti na glavu bila malipo.",
    ),
    "No person under 18 works on a site. Sites support children's schooling.": (
        "Aucune personne de moins de 18 ans ne travaille sur un site. Les sites soutiennent "
        "la scolarisation des enfants.",
        "Hakuna mtu aliye chini ya umri wa miaka 18 anayefanya kazi katika eneo la "
        "uchimbaji. Maeneo ya uchimbaji yanasaidia watoto kwenda shule.",
    ),
    "Every lot is weighed and tagged at the site and recorded before sale.": (
        "Chaque lot est pesé et étiqueté sur le site, puis enregistré avant la vente.",
        "Kila shehena hupimwa uzito na kuwekewa lebo katika eneo la uchimbaji, na "
        "kuandikishwa kabla ya kuuzwa.",
    ),
    "Every lot is weighed and tagged at the site, recorded in the cooperative's register, "
    "and reported to the provincial mining division before sale.": (
        "Chaque lot est pesé et étiqueté sur le site, inscrit au registre de la coopérative "
        "et déclaré à la division provinciale des mines avant la vente.",
        "Kila shehena hupimwa uzito na kuwekewa lebo katika eneo la uchimbaji, huandikwa "
        "katika daftari la ushirika, na huripotiwa kwa idara ya madini ya jimbo kabla ya "
        "kuuzwa.",
    ),
    "Buying stations publish the day's price per grade before buying.": (
        "Les comptoirs d’achat affichent le prix du jour par teneur avant d’acheter.",
        "Vituo vya ununuzi hutangaza bei ya siku kwa kila daraja kabla ya kununua.",
    ),
    "Buying stations publish the day's price per grade, with the assay method, before buying.": (
        "Les comptoirs d’achat affichent le prix du jour par teneur, avec la méthode "
        "d’analyse, avant d’acheter.",
        "Vituo vya ununuzi hutangaza bei ya siku kwa kila daraja, pamoja na njia ya kupima "
        "ubora, kabla ya kununua.",
    ),
    "Miners can raise a grievance with a body independent of buyers.": (
        "Les mineurs peuvent déposer une plainte auprès d’un organe indépendant des acheteurs.",
        "Wachimbaji wanaweza kuwasilisha malalamiko kwa chombo kisichotegemea wanunuzi.",
    ),
    "Women miners have equal access to pits, washing and pay, and a safe place to report "
    "harassment.": (
        "Les femmes mineures ont un accès égal aux puits, au lavage et à la rémunération, "
        "ainsi qu’un lieu sûr pour signaler le harcèlement.",
        "Wanawake wachimbaji wana haki sawa ya kufikia mashimo, uoshaji wa madini na malipo, "
        "pamoja na mahali salama pa kuripoti unyanyasaji.",
    ),
    # How to comment, in each round
    "Comment on any clause. Say which link of the chain you speak for.": (
        "Commentez n’importe quel article. Indiquez au nom de quel maillon de la chaîne vous "
        "vous exprimez.",
        "Toa maoni kuhusu kifungu chochote. Sema unazungumza kwa niaba ya sehemu gani ya mnyororo.",
    ),
    "Second round: the draft changed materially after the first round's comments.": (
        "Second tour : le projet a changé en profondeur après les commentaires du premier tour.",
        "Awamu ya pili: rasimu imebadilika kwa kiasi kikubwa baada ya maoni ya awamu ya kwanza.",
    ),
    # The secretariat's responses to the first round's comments
    "Clause 3.1 now requires re-inspection after heavy rain.": (
        "L’article 3.1 exige désormais une nouvelle inspection après de fortes pluies.",
        "Kifungu 3.1 sasa kinataka ukaguzi mpya baada ya mvua kubwa.",
    ),
    "Clause 6 now requires the assay method.": (
        "L’article 6 exige désormais la publication de la méthode d’analyse.",
        "Kifungu 6 sasa kinataka njia ya kupima ubora itangazwe.",
    ),
    "Lots are reported to the provincial division; a public registry is out of reach for now.": (
        "Les lots sont déclarés à la division provinciale ; un registre public est hors de "
        "portée pour l’instant.",
        "Shehena huripotiwa kwa idara ya jimbo; daftari la umma haliwezekani kwa sasa.",
    ),
    "The cost of replacements is left to each cooperative's rules.": (
        "Le coût des remplacements relève des règles de chaque coopérative.",
        "Gharama ya kubadilisha vifaa inaachwa kwa kanuni za kila ushirika.",
    ),
    "The framework's mandate is artisanal mining; industrial sites follow other standards.": (
        "Le mandat du cadre est l’exploitation minière artisanale ; les sites industriels "
        "suivent d’autres normes.",
        "Mamlaka ya mfumo huu ni uchimbaji mdogo; maeneo ya viwanda hufuata viwango vingine.",
    ),
    "The alliance keeps 18, the international standard for hazardous work.": (
        "L’alliance maintient 18 ans, la norme internationale pour les travaux dangereux.",
        "Muungano unabaki na miaka 18, kiwango cha kimataifa kwa kazi za hatari.",
    ),
    # What each organisation does
    "A cooperative of artisanal cobalt miners working the authorised zones around Kolwezi.": (
        "Coopérative d’exploitants miniers artisanaux de cobalt qui travaillent dans les "
        "zones autorisées autour de Kolwezi.",
        "Ushirika wa wachimbaji wadogo wa kobalti wanaofanya kazi katika maeneo "
        "yaliyoidhinishwa karibu na Kolwezi.",
    ),
    "A cooperative of diggers from the Kasulo neighbourhood of Kolwezi.": (
        "Coopérative de creuseurs du quartier Kasulo, à Kolwezi.",
        "Ushirika wa wachimbaji kutoka mtaa wa Kasulo mjini Kolwezi.",
    ),
    "A cooperative of women who mine, sort and wash cobalt ore in Lualaba.": (
        "Coopérative de femmes qui extraient, trient et lavent le minerai de cobalt au Lualaba.",
        "Ushirika wa wanawake wanaochimba, kuchagua na kuosha madini ya kobalti katika "
        "jimbo la Lualaba.",
    ),
    "A buying station that buys ore from artisanal sites and sells it to refiners.": (
        "Comptoir d’achat qui achète le minerai des sites artisanaux et le revend aux raffineurs.",
        "Kituo cha ununuzi kinachonunua madini kutoka maeneo ya wachimbaji wadogo na "
        "kuyauza kwa wasafishaji.",
    ),
    "An industrial copper and cobalt miner whose concessions border artisanal zones.": (
        "Exploitant minier industriel de cuivre et de cobalt dont les concessions jouxtent "
        "des zones artisanales.",
        "Kampuni ya uchimbaji mkubwa wa shaba na kobalti ambayo maeneo yake ya leseni "
        "yanapakana na maeneo ya wachimbaji wadogo.",
    ),
    "A refinery that turns cobalt hydroxide into refined cobalt.": (
        "Raffinerie qui transforme l’hydroxyde de cobalt en cobalt raffiné.",
        "Kiwanda kinachobadilisha hidroksidi ya kobalti kuwa kobalti iliyosafishwa.",
    ),
    "A maker of cathode precursor materials for lithium-ion batteries.": (
        "Fabricant de précurseurs de cathodes pour batteries lithium-ion.",
        "Mtengenezaji wa malighafi za awali za kathodi kwa betri za lithiamu-ioni.",
    ),
    "A battery-cell maker supplying European carmakers.": (
        "Fabricant de cellules de batteries qui approvisionne les constructeurs automobiles "
        "européens.",
        "Mtengenezaji wa seli za betri anayewauzia watengenezaji wa magari wa Ulaya.",
    ),
    "A carmaker building electric vehicles.": (
        "Constructeur automobile qui fabrique des véhicules électriques.",
        "Mtengenezaji wa magari ya umeme.",
    ),
    "An electronics brand: phones, laptops and tablets.": (
        "Marque d’électronique : téléphones, ordinateurs portables et tablettes.",
        "Chapa ya vifaa vya elektroniki: simu, kompyuta mpakato na tabiti.",
    ),
    "An investment fund financing responsible metal supply chains.": (
        "Fonds d’investissement qui finance des chaînes d’approvisionnement responsables en "
        "métaux.",
        "Mfuko wa uwekezaji unaofadhili minyororo ya ugavi wa metali inayowajibika.",
    ),
    "The provincial administration that registers mining sites and lots in Lualaba.": (
        "Administration provinciale qui enregistre les sites miniers et les lots au Lualaba.",
        "Idara ya jimbo inayosajili maeneo ya uchimbaji na shehena katika jimbo la Lualaba.",
    ),
    "The public service that supervises and trains artisanal miners.": (
        "Service public qui encadre et forme les exploitants miniers artisanaux.",
        "Huduma ya umma inayosimamia na kuwafunza wachimbaji wadogo.",
    ),
    "A university institute researching mine safety and the mining economy.": (
        "Institut universitaire de recherche sur la sécurité minière et l’économie des mines.",
        "Taasisi ya chuo kikuu inayofanya utafiti kuhusu usalama wa migodi na uchumi wa madini.",
    ),
    "A Congolese organisation defending diggers' rights and safety.": (
        "Organisation congolaise qui défend les droits et la sécurité des creuseurs.",
        "Shirika la Kongo linalotetea haki na usalama wa wachimbaji.",
    ),
    "A watchdog that follows cobalt from the pit to the product.": (
        "Observatoire qui suit le cobalt du puits jusqu’au produit fini.",
        "Shirika la uangalizi linalofuatilia kobalti kutoka shimoni hadi kwenye bidhaa.",
    ),
    "A consultancy that moves and documents mineral shipments across the Copperbelt.": (
        "Cabinet de conseil qui achemine et documente les expéditions de minerais à travers "
        "la Copperbelt.",
        "Kampuni ya ushauri inayosafirisha na kuweka kumbukumbu za mizigo ya madini katika "
        "ukanda wa shaba (Copperbelt).",
    ),
}

# Seat labels are "<name> <number>".
SEAT_NAMES = {
    "Industry": ("Industrie", "Viwanda"),
    "Government": ("Gouvernement", "Serikali"),
    "Civil society": ("Société civile", "Mashirika ya kiraia"),
    "Artisanal miners": ("Exploitants miniers artisanaux", "Wachimbaji wadogo"),
    "Upstream": ("Amont", "Mkondo wa juu"),
    "Downstream": ("Aval", "Mkondo wa chini"),
}
LANGUAGES = ("fr", "sw")
NBSP = "\u00a0"


def _french(text: str) -> str:
    """The glossary's French typography: a no-break space before `:` and `;`."""
    return re.sub(r" ([:;])", NBSP + r"\1", text)


def translated(english: str) -> dict[str, str | None] | None:
    """{language: text} for an English text of the demo, or None if it has none."""
    pair = TEXTS.get(english)
    if pair is None:
        name, _space, number = english.rpartition(" ")
        if name in SEAT_NAMES and number.isdigit():
            pair = tuple(f"{word} {number}" for word in SEAT_NAMES[name])
    if pair is None:
        return None
    french, swahili = pair
    return {"fr": _french(french), "sw": swahili}


def translate(people: dict[str, User], record) -> None:
    """Draft (as the translator) and approve (as the secretariat) every text of the record
    that has a translation here and no workflow row yet."""
    translator, secretariat = people["translator"], people["secretariat"]
    done = {
        (row.field, row.language)
        for language in LANGUAGES
        for row in translations.rows_for(record, language).values()
        if row.status != TranslationStatus.MISSING
    }
    for field in translations.fields_of(record):
        texts = translated(getattr(record, f"{field}_en") or "")
        for language in LANGUAGES:
            text = texts and texts[language]
            if not text or (field, language) in done:
                continue
            services.translation_draft(
                actor=translator, record=record, field=field, language=language, text=text
            )
            services.translation_approve(
                actor=secretariat, record=record, field=field, language=language
            )


def records():
    """Every demo record with texts readers see, in the order a translator would go."""
    yield from WorkingGroup.objects.order_by("pk")
    yield from Chamber.objects.order_by("pk")
    yield from Seat.objects.order_by("pk")
    yield from Organisation.objects.exclude(description="").order_by("pk")
    yield from VotingRule.objects.order_by("pk")
    yield from Ballot.objects.order_by("pk")
    yield from BallotOption.objects.order_by("pk")
    yield from Decision.objects.order_by("pk")
    yield from Standard.objects.order_by("pk")
    yield from Clause.objects.order_by("pk")
    yield from Consultation.objects.order_by("pk")
    yield from Disposition.objects.order_by("pk")


def load(people: dict[str, User]) -> None:
    for record in records():
        translate(people, record)
    _steering_mandate_revised(people["admin"])


def _steering_mandate_revised(admin) -> None:
    """The English mandate changes after its translations were approved: they stay
    shown, marked out of date, until a translator revises them."""
    group = WorkingGroup.objects.get(name_en="Steering Committee")
    if group.mandate_en != STEERING_MANDATE:
        return
    group.mandate_en = STEERING_MANDATE_REVISED
    services.working_group_save(actor=admin, group=group)
