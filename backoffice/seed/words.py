"""Dutch and English vocabularies the seed builds names, descriptions and people from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase in Dutch and English, with an optional code for SKUs."""

    nl: str
    en: str
    code: str = ""

    def text(self) -> dict[str, str]:
        return {"nl": self.nl, "en": self.en}


def _terms(*rows: tuple[str, str, str]) -> dict[str, Term]:
    return {code: Term(nl, en, code) for code, nl, en in rows}


COLOURS = _terms(
    ("WHITE", "Wit", "White"),
    ("OFFWHITE", "Gebroken wit", "Off-white"),
    ("BLACK", "Zwart", "Black"),
    ("GREY", "Grijs", "Grey"),
    ("LIGHTGREY", "Lichtgrijs", "Light grey"),
    ("ANTHRACITE", "Antraciet", "Anthracite"),
    ("NAVY", "Marineblauw", "Navy"),
    ("BLUE", "Blauw", "Blue"),
    ("RED", "Rood", "Red"),
    ("BORDEAUX", "Bordeaux", "Burgundy"),
    ("PINK", "Roze", "Pink"),
    ("BLUSH", "Oudroze", "Dusty pink"),
    ("OCHRE", "Oker", "Ochre"),
    ("MUSTARD", "Mosterdgeel", "Mustard"),
    ("YELLOW", "Geel", "Yellow"),
    ("GREEN", "Groen", "Green"),
    ("SAGE", "Saliegroen", "Sage green"),
    ("OLIVE", "Olijfgroen", "Olive"),
    ("TERRA", "Terracotta", "Terracotta"),
    ("COGNAC", "Cognac", "Cognac"),
    ("BROWN", "Bruin", "Brown"),
    ("CAMEL", "Camel", "Camel"),
    ("SAND", "Zand", "Sand"),
    ("BEIGE", "Beige", "Beige"),
    ("NATURAL", "Naturel", "Natural"),
    ("CORAL", "Koraal", "Coral"),
    ("TURQUOISE", "Turquoise", "Turquoise"),
    ("LILAC", "Lila", "Lilac"),
    ("ORANGE", "Oranje", "Orange"),
)

#: Colour palettes by kind of product.
TEXTILE = (
    "WHITE", "OFFWHITE", "BLACK", "GREY", "NAVY", "BLUE", "RED", "BORDEAUX", "PINK", "BLUSH",
    "OCHRE", "MUSTARD", "GREEN", "SAGE", "OLIVE", "TERRA", "SAND", "BEIGE", "CAMEL",
)  # fmt: skip
PAINT = (
    "WHITE", "OFFWHITE", "LIGHTGREY", "ANTHRACITE", "SAND", "SAGE", "OCHRE", "TERRA", "BLUSH",
    "NAVY", "BLACK", "GREEN",
)  # fmt: skip
LEATHER = ("BLACK", "COGNAC", "BROWN", "CAMEL", "NAVY", "GREY", "BORDEAUX", "OLIVE")
SWIM = ("CORAL", "NAVY", "BLACK", "TURQUOISE", "RED", "GREEN", "LILAC", "YELLOW", "ORANGE")
NATURAL = ("NATURAL", "SAND", "WHITE", "BLACK", "BROWN", "GREY", "SAGE", "TERRA")

COLOUR_NAME = Term("Kleur", "Colour", "colour")
SIZE_NAME = Term("Maat", "Size", "size")
WIDTH_NAME = Term("Breedte", "Width", "width")
MATERIAL = Term("Materiaal", "Material")
FINISH = Term("Afwerking", "Finish")
SCENT = Term("Geur", "Scent")

#: Size runs: each product takes a consecutive slice of one.
LETTER_SIZES = ("XS", "S", "M", "L", "XL", "XXL")
DRESS_SIZES = ("34", "36", "38", "40", "42", "44", "46")
WAIST_SIZES = ("W28", "W30", "W32", "W34", "W36", "W38")
OBJECT_SIZES = ("S", "M", "L")

#: Model names products are called after.
MODELS = (
    "Lotte", "Bram", "Noor", "Daan", "Sem", "Lieke", "Vera", "Ties", "Fenna", "Jip", "Mees",
    "Roos", "Oslo", "Bergen", "Texel", "Vlieland", "Ameland", "Terschelling", "Delft",
    "Gouda", "Hoorn", "Edam", "Giethoorn", "Veluwe", "Zeeland", "Dokkum", "Harlingen",
    "Kampen", "Volendam", "Marken", "Sneek", "Urk", "Zierikzee", "Veere", "Elburg",
    "Naarden", "Muiden", "Brielle", "Heusden", "Thorn",
)  # fmt: skip
PAINT_LINES = ("Atelier", "Puur", "Klassiek", "Studio", "Robuust", "Natuur", "Renova", "Optima")


@dataclass(frozen=True, slots=True)
class Department:
    """A top-level category with its brands and description sentences."""

    id: str
    name: Term
    brands: tuple[str, ...]
    #: Sentences that sell the product; two are picked per description.
    pitches: tuple[Term, ...]
    care: tuple[Term, ...]


@dataclass(frozen=True, slots=True)
class ProductType:
    """A leaf category and how its products are named, varied and priced."""

    id: str
    department: str
    category: Term
    nouns: tuple[Term, ...]
    #: Materials or finishes, named after the model: "Sierkussen Lotte fluweel".
    materials: tuple[Term, ...]
    colours: tuple[str, ...]
    colour_count: tuple[int, int]
    #: A suffix on the product name, e.g. a volume or dimension ("2,5 L", "45x45 cm").
    suffixes: tuple[Term, ...] = ()
    sizes: tuple[str, ...] = ()
    size_count: tuple[int, int] = (0, 0)
    size_name: Term = SIZE_NAME
    price: tuple[int, int] = (10, 50)
    models: tuple[str, ...] = MODELS
    material_name: Term = MATERIAL


def _t(nl: str, en: str | None = None) -> Term:
    return Term(nl, en if en is not None else nl)


DEPARTMENTS = (
    Department(
        "c01",
        _t("Wonen", "Home & living"),
        ("Noordlicht", "Huiskamer", "Stoer & Zacht", "Dutch Dune", "Lindenhof"),
        (
            _t("Zorgt direct voor een warme sfeer in huis.", "Instantly adds warmth to any room."),
            _t(
                "Past in elk interieur, van landelijk tot modern.",
                "Fits any interior, from rustic to modern.",
            ),
            _t("Met zorg ontworpen in Nederland.", "Thoughtfully designed in the Netherlands."),
            _t(
                "Combineer met andere items uit de collectie.",
                "Combine with other items from the collection.",
            ),
            _t("Duurzaam geproduceerd.", "Sustainably produced."),
        ),
        (
            _t("Onderhoud: afnemen met een vochtige doek.", "Care: wipe with a damp cloth."),
            _t("Niet in de volle zon plaatsen.", "Keep out of direct sunlight."),
        ),
    ),
    Department(
        "c02",
        _t("Klussen & verf", "DIY & paint"),
        ("Polderverf", "Kleurrijk", "Strak", "Klusmeester", "Vakwerk"),
        (
            _t("Dekt in één tot twee lagen.", "Covers in one to two coats."),
            _t("Reukarm en sneldrogend.", "Low odour and quick drying."),
            _t("Geschikt voor binnen en buiten.", "Suitable for indoor and outdoor use."),
            _t(
                "Professionele kwaliteit voor de doe-het-zelver.",
                "Professional quality for the DIYer.",
            ),
            _t("Op waterbasis.", "Water-based."),
        ),
        (
            _t("Gereedschap reinigen met water.", "Clean tools with water."),
            _t("Vorstvrij bewaren.", "Store frost-free."),
        ),
    ),
    Department(
        "c03",
        _t("Mode", "Fashion"),
        ("Amstel Wear", "Noord & Zuid", "Lina", "Kade", "Grachtengoed"),
        (
            _t(
                "Een tijdloos basisstuk voor elke garderobe.",
                "A timeless staple for every wardrobe.",
            ),
            _t("Valt normaal op maat.", "Fits true to size."),
            _t("Zacht en ademend materiaal.", "Soft and breathable fabric."),
            _t("Gemaakt in een eerlijke fabriek.", "Made in a fair factory."),
            _t("Makkelijk te combineren.", "Easy to combine."),
        ),
        (
            _t("Wassen op 30 graden.", "Machine wash at 30 degrees."),
            _t("Niet in de droger.", "Do not tumble dry."),
        ),
    ),
    Department(
        "c04",
        _t("Tassen", "Bags"),
        ("Urban Carry", "Tassenmakerij", "Stadsrugzak", "Reislust", "Leerwerk"),
        (
            _t(
                "Met gevoerd vak voor laptop of tablet.",
                "With a padded laptop or tablet compartment.",
            ),
            _t("Stevige ritsen en verstelbare band.", "Sturdy zips and an adjustable strap."),
            _t("Waterafstotend materiaal.", "Water-repellent material."),
            _t("Ruim genoeg voor een dag op pad.", "Roomy enough for a day out."),
            _t("Tijdloos ontwerp.", "Timeless design."),
        ),
        (
            _t("Onderhoud: afnemen met een droge doek.", "Care: wipe with a dry cloth."),
            _t("Leer regelmatig voeden.", "Condition leather regularly."),
        ),
    ),
    Department(
        "c05",
        _t("Badmode", "Swimwear"),
        ("Zeebries", "Golfslag", "Strandpaviljoen", "Duinzand", "Noordzee"),
        (
            _t("Sneldrogend en chloorbestendig.", "Quick-drying and chlorine-resistant."),
            _t("Gemaakt van gerecycled nylon.", "Made from recycled nylon."),
            _t("Met UV-bescherming.", "With UV protection."),
            _t("Zit comfortabel, ook bij actief gebruik.", "Stays comfortable, even when active."),
            _t("Klaar voor de zomer.", "Ready for summer."),
        ),
        (
            _t("Na gebruik uitspoelen in koud water.", "Rinse in cold water after use."),
            _t("Niet in de droger.", "Do not tumble dry."),
        ),
    ),
)

_TEXTILES = (_t("fluweel", "velvet"), _t("linnen", "linen"), _t("katoen", "cotton"))
_WOOLLY = (_t("wol", "wool"), _t("bouclé"), *_TEXTILES)
_FABRICS = (
    _t("katoen", "cotton"),
    _t("biologisch katoen", "organic cotton"),
    _t("linnen", "linen"),
)
_SWIM = (_t("gerecycled nylon", "recycled nylon"), _t("ribstof", "ribbed fabric"), _t("lycra"))
_BAGS = (_t("leer", "leather"), _t("canvas"), _t("nylon"), _t("gerecycled PET", "recycled PET"))

PRODUCT_TYPES = (
    ProductType("c0101", "c01", _t("Kussens", "Cushions"), (_t("Sierkussen", "Cushion"),), _WOOLLY, TEXTILE, (2, 5), suffixes=(_t("45x45 cm"), _t("50x50 cm"), _t("40x60 cm")), price=(12, 39)),
    ProductType("c0102", "c01", _t("Plaids", "Throws"), (_t("Plaid", "Throw"),), (_t("wol", "wool"), _t("katoen", "cotton"), _t("fleece")), TEXTILE, (2, 4), suffixes=(_t("130x170 cm"), _t("150x200 cm")), price=(19, 79)),
    ProductType("c0103", "c01", _t("Vazen", "Vases"), (_t("Vaas", "Vase"),), (_t("glas", "glass"), _t("keramiek", "ceramic"), _t("aardewerk", "stoneware")), NATURAL, (1, 3), sizes=OBJECT_SIZES, size_count=(2, 3), price=(9, 49)),
    ProductType("c0104", "c01", _t("Kaarsen", "Candles"), (_t("Geurkaars", "Scented candle"),), (_t("vijg", "fig"), _t("vanille", "vanilla"), _t("zeezout", "sea salt"), _t("ceder", "cedar")), NATURAL, (1, 3), price=(6, 24), material_name=SCENT),
    ProductType("c0105", "c01", _t("Verlichting", "Lighting"), (_t("Tafellamp", "Table lamp"), _t("Hanglamp", "Pendant lamp")), (_t("rotan", "rattan"), _t("metaal", "metal"), _t("linnen", "linen")), NATURAL, (2, 3), price=(29, 149)),
    ProductType("c0106", "c01", _t("Opbergen", "Storage"), (_t("Opbergmand", "Storage basket"),), (_t("zeegras", "seagrass"), _t("jute"), _t("katoen", "cotton")), NATURAL, (1, 3), sizes=OBJECT_SIZES, size_count=(2, 3), price=(9, 39)),
    ProductType("c0201", "c02", _t("Muurverf", "Wall paint"), (_t("Muurverf", "Wall paint"),), (_t("mat", "matt"), _t("zijdemat", "eggshell"), _t("zijdeglans", "satin")), PAINT, (3, 6), suffixes=(_t("1 L"), _t("2,5 L", "2.5 L"), _t("5 L")), price=(14, 79), models=PAINT_LINES, material_name=FINISH),
    ProductType("c0202", "c02", _t("Lakverf", "Gloss paint"), (_t("Lakverf", "Gloss paint"),), (_t("hoogglans", "high gloss"), _t("zijdeglans", "satin")), PAINT, (3, 5), suffixes=(_t("250 ml"), _t("750 ml")), price=(9, 44), models=PAINT_LINES, material_name=FINISH),
    ProductType("c0203", "c02", _t("Kwasten & rollers", "Brushes & rollers"), (_t("Kwast", "Brush"), _t("Verfroller", "Paint roller")), (_t("synthetisch", "synthetic"), _t("varkenshaar", "bristle")), (), (0, 0), sizes=("30MM", "50MM", "70MM", "100MM"), size_count=(2, 3), size_name=WIDTH_NAME, price=(4, 19), models=PAINT_LINES),
    ProductType("c0204", "c02", _t("Gereedschap", "Tools"), (_t("Plamuurmes", "Filling knife"), _t("Verfkrabber", "Paint scraper")), (_t("RVS", "stainless steel"), _t("koolstofstaal", "carbon steel")), (), (0, 0), sizes=("40MM", "60MM", "80MM", "100MM"), size_count=(2, 3), size_name=WIDTH_NAME, price=(4, 29), models=PAINT_LINES),
    ProductType("c0205", "c02", _t("Afplakken & afdekken", "Masking & covering"), (_t("Afplaktape", "Masking tape"),), (_t("papier", "paper"), _t("washi")), (), (0, 0), sizes=("19MM", "25MM", "38MM", "50MM"), size_count=(2, 4), size_name=WIDTH_NAME, price=(4, 12), models=PAINT_LINES),
    ProductType("c0301", "c03", _t("Truien", "Jumpers"), (_t("Trui", "Jumper"), _t("Vest", "Cardigan")), (_t("wol", "wool"), _t("merinowol", "merino wool"), _t("katoen", "cotton"), _t("kasjmier", "cashmere")), TEXTILE, (1, 3), sizes=LETTER_SIZES, size_count=(3, 5), price=(29, 99)),
    ProductType("c0302", "c03", _t("T-shirts"), (_t("T-shirt"), _t("Longsleeve")), _FABRICS, TEXTILE, (1, 4), sizes=LETTER_SIZES, size_count=(3, 5), price=(9, 29)),
    ProductType("c0303", "c03", _t("Broeken", "Trousers"), (_t("Chino", "Chinos"), _t("Pantalon", "Trousers")), (_t("katoen", "cotton"), _t("linnen", "linen"), _t("ribcord", "corduroy")), TEXTILE, (1, 3), sizes=WAIST_SIZES, size_count=(3, 5), price=(39, 89)),
    ProductType("c0304", "c03", _t("Jurken", "Dresses"), (_t("Jurk", "Dress"),), (_t("viscose"), _t("linnen", "linen"), _t("katoen", "cotton")), TEXTILE, (1, 3), sizes=DRESS_SIZES, size_count=(3, 5), price=(34, 99)),
    ProductType("c0305", "c03", _t("Jassen", "Jackets"), (_t("Jas", "Jacket"), _t("Regenjas", "Raincoat")), (_t("wol", "wool"), _t("gerecycled polyester", "recycled polyester")), TEXTILE, (1, 2), sizes=LETTER_SIZES, size_count=(3, 5), price=(79, 249)),
    ProductType("c0401", "c04", _t("Laptoptassen", "Laptop bags"), (_t("Laptoptas", "Laptop bag"),), _BAGS, LEATHER, (2, 4), suffixes=(_t("13 inch"), _t("15,6 inch", "15.6 inch")), price=(39, 149)),
    ProductType("c0402", "c04", _t("Rugzakken", "Backpacks"), (_t("Rugzak", "Backpack"),), _BAGS, LEATHER, (2, 4), price=(29, 119)),
    ProductType("c0403", "c04", _t("Handtassen", "Handbags"), (_t("Handtas", "Handbag"), _t("Schoudertas", "Shoulder bag")), (_t("leer", "leather"), _t("suède", "suede"), _t("vegan leer", "vegan leather")), LEATHER, (2, 4), price=(39, 199)),
    ProductType("c0404", "c04", _t("Reistassen", "Travel bags"), (_t("Weekendtas", "Weekend bag"),), _BAGS, LEATHER, (2, 3), price=(49, 179)),
    ProductType("c0501", "c05", _t("Bikini's", "Bikinis"), (_t("Bikini"),), _SWIM, SWIM, (1, 3), sizes=DRESS_SIZES, size_count=(4, 5), price=(29, 69)),
    ProductType("c0502", "c05", _t("Badpakken", "Swimsuits"), (_t("Badpak", "Swimsuit"),), _SWIM, SWIM, (1, 3), sizes=DRESS_SIZES, size_count=(4, 5), price=(34, 79)),
    ProductType("c0503", "c05", _t("Zwembroeken", "Swim shorts"), (_t("Zwembroek", "Swim shorts"),), _SWIM, SWIM, (1, 3), sizes=LETTER_SIZES, size_count=(3, 5), price=(19, 49)),
    ProductType("c0504", "c05", _t("Strandlakens", "Beach towels"), (_t("Strandlaken", "Beach towel"),), (_t("katoen", "cotton"), _t("badstof", "terry"), _t("hamamstof", "hammam cloth")), SWIM, (2, 4), price=(14, 49)),
)  # fmt: skip

#: Image views: /media/<sku>-1.jpg is the front view, and so on.
VIEWS = (_t("vooraanzicht", "front view"), _t("detail"), _t("sfeerbeeld", "lifestyle shot"))

FIRST_NAMES_F = (
    "Sanne", "Emma", "Julia", "Lotte", "Fleur", "Anouk", "Lisa", "Sophie", "Eva", "Iris",
    "Femke", "Noor", "Sara", "Roos", "Lieke", "Merel", "Esther", "Marieke", "Ingrid", "Annemarie",
    "Monique", "Linda", "Petra", "Yvonne", "Daniëlle", "Chantal", "Zoë", "Fatima", "Yasmina",
    "Mila", "Tess", "Floor", "Anna", "Hanneke", "Wilma", "Els", "Nadia", "Kim",
)  # fmt: skip
FIRST_NAMES_M = (
    "Jeroen", "Daan", "Sem", "Lucas", "Thijs", "Bram", "Ruben", "Tim", "Lars", "Jesse",
    "Niels", "Bas", "Stijn", "Koen", "Martijn", "Pieter", "Willem", "Jan", "Henk", "Kees",
    "Erik", "Mark", "Dennis", "Sander", "Wouter", "Joris", "Mohamed", "Youssef", "Mehmet",
    "Finn", "Milan", "Gijs", "Hugo", "Teun", "Rik", "Ahmed", "Frank", "Arjen",
)  # fmt: skip
LAST_NAMES = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser",
    "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks",
    "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits", "de Graaf",
    "van der Meer", "van der Linden", "Kok", "Jacobs", "de Haan", "Vermeulen",
    "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn", "van der Heijden",
    "Schouten", "van Beek", "Willems", "van Vliet", "van de Ven", "Hoekstra", "Maas",
    "Verhoeven", "Koster", "van Dam", "van der Wal", "Prins", "Blom", "Huisman", "Postma",
    "Kuipers", "Veenstra", "Yilmaz", "El Amrani", "Bouzid", "Nguyen", "Pinas", "Groen",
)  # fmt: skip
#: Reserved example domains (RFC 2606): seeded addresses never reach a real mailbox.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")

VOUCHER_REASONS = (
    ("Compensatie voor late levering", 10),
    ("Excuses voor een beschadigd artikel", 15),
    ("Verjaardagsattentie", 5),
    ("Compensatie voor gemiste actie in de winkel", 5),
    ("Goodwill na klacht over de klantenservice", 10),
    ("Welkomstcadeau klantenkaart", 5),
    ("Excuses voor een onvolledige bestelling", 7.5),
)

AGENTS = ("svc:sanne", "svc:mohamed", "svc:ingrid", "svc:joris", "svc:fatima")
STORE_STAFF = ("ahmed", "lotte", "kees", "yasmina", "bas", "merel")

INTERACTION_NOTES = {
    "call": (
        "Klant belde met een vraag over de levertijd van een bestelling.",
        "Klant gaf een nieuw afleveradres door.",
        "Vraag over de voorwaarden van de klantenkaart beantwoord.",
        "Klant vroeg of een artikel in de winkel op voorraad is.",
        "Uitgelegd hoe een retour per post wordt aangemeld.",
    ),
    "complaint": (
        "Bestelling kwam later dan beloofd.",
        "Artikel beschadigd ontvangen; foto's ontvangen per e-mail.",
        "Actie werd niet verrekend aan de kassa.",
        "Klant ontevreden over de wachttijd bij de klantenservice.",
        "Er ontbrak een artikel in het pakket.",
    ),
    "store_visit": (
        "Advies gegeven over kleurkeuze voor de woonkamer.",
        "Klant heeft de nieuwe collectie tassen bekeken.",
        "Passessie badmode; klant komt terug voor een andere maat.",
        "Bestelling opgehaald en gecontroleerd aan de balie.",
        "Kleurstaal gemengd op verzoek van de klant.",
    ),
}

RETURN_REASONS = (
    "Te klein",
    "Te groot",
    "Kleur wijkt af van de foto",
    "Beschadigd ontvangen",
    "Toch niet nodig",
    "Verkeerd artikel geleverd",
)
