"""Word lists and generators for believable company names, people, addresses and their variants."""

from __future__ import annotations

import random

_PREFIXES = (
    "Acme",
    "Northwind",
    "Blue Harbor",
    "Summit",
    "Redwood",
    "Ironbridge",
    "Silverline",
    "Crescent",
    "Granite",
    "Evergreen",
    "Bright Path",
    "Keystone",
    "Harbor Point",
    "Oakridge",
    "Pinnacle",
    "Meridian",
    "Falcon",
    "Cobalt",
    "Atlas",
    "Horizon",
    "Vanguard",
    "Lakeside",
    "Westbrook",
    "Stonegate",
    "Beacon",
    "Clearwater",
    "Highland",
    "Riverbend",
    "Sterling",
    "Aurora",
    "Fairmont",
    "Kingsley",
    "Ashford",
    "Thornbury",
    "Caldwell",
    "Brightwater",
    "Whitmore",
    "Hartwell",
    "Elmstead",
    "Norland",
    "Rheinwald",
    "Edelstein",
    "Bergmann",
    "Lindenhof",
    "Sonnenfeld",
    "Albion",
    "Pembroke",
    "Castlegate",
    "Marlow",
    "Quantum",
    "Nimbus",
    "Polaris",
    "Orion",
    "Helix",
    "Vertex",
    "Zenith",
    "Apex",
    "Solstice",
    "Tidewater",
)
_NOUNS = (
    "Industries",
    "Holdings",
    "Logistics",
    "Systems",
    "Partners",
    "Group",
    "Capital",
    "Foods",
    "Energy",
    "Health",
    "Insurance",
    "Retail",
    "Manufacturing",
    "Technologies",
    "Pharma",
    "Media",
    "Telecom",
    "Motors",
    "Bank",
    "Analytics",
    "Materials",
    "Networks",
    "Brands",
    "Airlines",
    "Chemicals",
)
# Legal suffixes per country, with their long forms (used by name variants).
SUFFIXES = {
    "US": ("Inc", "LLC", "Corp"),
    "GB": ("Ltd", "PLC"),
    "DE": ("GmbH", "AG"),
}
_LONG_SUFFIX = {
    "Inc": "Incorporated",
    "LLC": "L.L.C.",
    "Corp": "Corporation",
    "Ltd": "Limited",
    "PLC": "Public Limited Company",
    "GmbH": "G.m.b.H.",
    "AG": "Aktiengesellschaft",
}
_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Susan",
    "Richard",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Emma",
    "Oliver",
    "Amelia",
    "Harry",
    "Olivia",
    "George",
    "Isla",
    "Jack",
    "Sophie",
    "Lukas",
    "Anna",
    "Felix",
    "Lea",
    "Jonas",
    "Mia",
    "Leon",
    "Hannah",
    "Maximilian",
    "Laura",
    "Priya",
    "Arjun",
    "Wei",
    "Mei",
    "Carlos",
    "Lucia",
    "Ahmed",
    "Fatima",
    "Noah",
    "Chloe",
    "Ethan",
    "Grace",
)
_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Wilson",
    "Taylor",
    "Anderson",
    "Thomas",
    "Moore",
    "Martin",
    "Jackson",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Evans",
    "Roberts",
    "Hughes",
    "Edwards",
    "Green",
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Patel",
    "Shah",
    "Chen",
    "Wang",
    "Kim",
    "Nguyen",
    "Rossi",
    "Silva",
    "O'Brien",
    "Murphy",
)
_STREETS = {
    "US": ("Main St", "Market St", "Broadway", "Oak Ave", "Park Ave", "Lake Shore Dr", "Elm St", "5th Ave"),
    "GB": ("High Street", "King's Road", "Victoria Street", "Station Road", "Church Lane", "Queen Street"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Schillerstraße", "Goethestraße", "Lindenallee", "Marktplatz"),
}
_CITIES = {
    "US": (
        ("New York", "100"),
        ("Chicago", "606"),
        ("Boston", "021"),
        ("Austin", "787"),
        ("Seattle", "981"),
        ("Atlanta", "303"),
        ("Denver", "802"),
        ("San Francisco", "941"),
    ),
    "GB": (
        ("London", "EC1A"),
        ("Manchester", "M1"),
        ("Birmingham", "B1"),
        ("Leeds", "LS1"),
        ("Bristol", "BS1"),
        ("Edinburgh", "EH1"),
    ),
    "DE": (
        ("Berlin", "10"),
        ("München", "80"),
        ("Hamburg", "20"),
        ("Frankfurt am Main", "60"),
        ("Köln", "50"),
        ("Stuttgart", "70"),
    ),
}
COUNTRY_NAME = {"US": "United States", "GB": "United Kingdom", "DE": "Germany"}
_UK_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_TLD = {"US": "com", "GB": "co.uk", "DE": "de"}


def company_base(rng: random.Random) -> str:
    """A company's distinctive name without legal suffix, e.g. 'Summit Logistics'."""
    return f"{rng.choice(_PREFIXES)} {rng.choice(_NOUNS)}"


def legal_name(base: str, country: str, rng: random.Random) -> str:
    return f"{base} {rng.choice(SUFFIXES[country])}"


def name_variant(name: str, rng: random.Random) -> str:
    """Another spelling of the same company, as a person would type it in another system:
    'Acme Corp' → 'ACME Corporation, Inc.', 'Summit Logistics Ltd' → 'Summit Logistics Limited'."""
    words = name.split()
    suffix = words[-1] if words[-1] in _LONG_SUFFIX else None
    base = " ".join(words[:-1]) if suffix else name
    options = []
    if suffix:
        options += [
            f"{base} {_LONG_SUFFIX[suffix]}",
            base,
            f"{base.upper()} {suffix}",
            f"{base}, {suffix}.",
        ]
    options += [
        f"{base.upper()}",
        f"The {base}",
        base.replace(" ", "-"),
        f"{base} {'Group' if 'Group' not in base else 'Grp'}",
    ]
    if " and " in base or "&" in base:
        options.append(base.replace(" and ", " & ") if " and " in base else base.replace("&", "and"))
    candidates = sorted({option for option in options if option != name})
    return rng.choice(candidates)


def person(rng: random.Random) -> tuple[str, str]:
    return rng.choice(_FIRST), rng.choice(_LAST)


def address(country: str, rng: random.Random) -> tuple[str, str, str]:
    """(street, city, postal code) in the country's style."""
    city, zip_prefix = rng.choice(_CITIES[country])
    street = rng.choice(_STREETS[country])
    number = rng.randint(1, 999)
    if country == "US":
        return f"{number} {street}", city, f"{zip_prefix}{rng.randint(0, 99):02d}"
    if country == "GB":
        return (
            f"{number} {street}",
            city,
            f"{zip_prefix} {rng.randint(1, 9)}{rng.choice(_UK_LETTERS)}{rng.choice(_UK_LETTERS)}",
        )
    return f"{street} {number}", city, f"{zip_prefix}{rng.randint(100, 999)}"


def domain(base: str, country: str) -> str:
    slug = "".join(ch for ch in base.lower() if ch.isalnum())
    return f"www.{slug}.{_TLD[country]}"


def tax_id(country: str, rng: random.Random) -> str:
    if country == "US":
        return f"{rng.randint(10, 99)}-{rng.randint(1000000, 9999999)}"
    if country == "GB":
        return f"GB{rng.randint(100000000, 999999999)}"
    return f"DE{rng.randint(100000000, 999999999)}"


def phone(country: str, rng: random.Random) -> str:
    if country == "US":
        return f"+1 {rng.randint(200, 989)} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
    if country == "GB":
        return f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
    return f"+49 {rng.randint(30, 89)} {rng.randint(100000, 9999999)}"


def email(first: str, last: str, index: int) -> str:
    clean = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii() and (ch.isalnum() or ch == "."))
    return f"{clean}{index}@concord-consulting.example"
