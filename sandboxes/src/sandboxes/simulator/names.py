"""Word lists and generators for believable company names, people, addresses and their variants."""

from __future__ import annotations

import random
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandboxes.simulator.config import MatchingNoise

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
    # Accented names, which other systems spell without (or with other) accents.
    "Bergström",
    "Zürich",
    "Société",
    "Kröger",
    "Nørland",
    "Café",
    "Löwenberg",
    "Élan",
    # Names with an ampersand, which other systems spell with "and".
    "Fraser & Wood",
    "Hale & Ross",
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
    "Services",
    "Associates",
    "Pharmaceuticals",
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


def _format_variant(name: str, rng: random.Random) -> str:
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


# -- matching noise: how people mistype, abbreviate and re-form a company's name -----------

# Words and the abbreviations (or spellings out) people type for them.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "International": ("Intl", "Int'l"),
    "Manufacturing": ("Mfg",),
    "Systems": ("Sys",),
    "Technologies": ("Tech", "Techs"),
    "Holdings": ("Hldgs", "Hldg"),
    "Services": ("Svcs", "Svc"),
    "Group": ("Grp",),
    "Pharmaceuticals": ("Pharma",),
    "Pharma": ("Pharmaceuticals",),
    "National": ("Natl", "Nat'l"),
    "Associates": ("Assoc", "Assocs"),
    "Industries": ("Inds", "Ind"),
    "Partners": ("Ptnrs",),
    "Insurance": ("Ins",),
    "Chemicals": ("Chem",),
    "Telecom": ("Telecommunications",),
    "Networks": ("Netwks",),
    "Global": ("Gbl",),
    "Solutions": ("Solns",),
    "Europe": ("Eur",),
    "Americas": ("Amer",),
    "&": ("and",),
    "and": ("&",),
}
FREE_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "gmx.de", "web.de", "btinternet.com")
_COUNTRY_OF_SUFFIX = {suffix: country for country, suffixes in SUFFIXES.items() for suffix in suffixes}
_DOTTED_SUFFIXES = ("Inc", "Corp", "Ltd")
_FOLD = {"ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "Ae", "ł": "l"}
_TRANSLITERATION = {
    "ä": "ae",
    "ö": "oe",
    "ü": "ue",
    "Ä": "Ae",
    "Ö": "Oe",
    "Ü": "Ue",
    "ø": "oe",
    "Ø": "Oe",
    "å": "aa",
    "Å": "Aa",
}
_KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_MAX_EDITS = 2  # typos, abbreviations and word order changes of the distinctive words, per variant


def fold_accents(text: str) -> str:
    """Accents dropped: 'Müller' -> 'Muller', 'Nørland' -> 'Norland', 'Société' -> 'Societe'."""
    text = "".join(_FOLD.get(ch, ch) for ch in text)
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def transliterate(text: str) -> str:
    """Accents spelled out the German / Nordic way: 'Müller' -> 'Mueller', 'Nørland' -> 'Noerland'."""
    return fold_accents("".join(_TRANSLITERATION.get(ch, ch) for ch in text))


def has_accents(text: str) -> bool:
    return fold_accents(text) != text


def chance(rng: random.Random, rate: float) -> bool:
    """True with probability `rate`; draws nothing when the rate is 0 (a clean firm's random
    streams do not depend on the noise it does not have)."""
    return rate > 0 and rng.random() < rate


def _recase(new: str, like: str) -> str:
    if like.isupper():
        return new.upper()
    if like[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _near_key(ch: str, rng: random.Random) -> str:
    for row in _KEY_ROWS:
        at = row.find(ch)
        if at >= 0:
            return rng.choice([row[i] for i in (at - 1, at + 1) if 0 <= i < len(row)])
    return rng.choice([vowel for vowel in "aeiou" if vowel != ch])


def typo(word: str, rng: random.Random) -> str:
    """One slip of the keyboard: two letters swapped, one dropped, doubled or replaced by its
    neighbour on the keyboard; a third of the time in the first two letters
    ('Whitmore' -> 'Whitmroe', 'Hwitmore', 'Whitmoore', 'Whitnore'). Short words (under six
    letters) keep their first two letters, or nobody would recognise them."""
    if len(word) < 4:
        return word
    lower = word.lower()
    early = len(word) >= 6 and rng.random() < 0.33
    pos = rng.randrange(2) if early else rng.randrange(2, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double", "near"))
    if kind == "swap" and lower[pos] == lower[pos + 1]:
        kind = "near"
    if kind == "swap":
        new = lower[:pos] + lower[pos + 1] + lower[pos] + lower[pos + 2 :]
    elif kind == "drop":
        new = lower[:pos] + lower[pos + 1 :]
    elif kind == "double":
        new = lower[:pos] + lower[pos] + lower[pos:]
    else:
        new = lower[:pos] + _near_key(lower[pos], rng) + lower[pos + 1 :]
    return _recase(new, word)


def _split(name: str) -> tuple[str, str | None]:
    words = name.split()
    if len(words) > 1 and words[-1] in _LONG_SUFFIX:
        return " ".join(words[:-1]), words[-1]
    return name, None


def _compose(words: list[str], suffix: str | None, style: str) -> str:
    base = " ".join(words)
    if not suffix:
        return base
    separator = ", " if style in ("comma", "comma_dot") else " "
    dot = "." if style in ("dot", "comma_dot") and suffix in _DOTTED_SUFFIXES else ""
    return f"{base}{separator}{suffix}{dot}"


def _noisy_parts(
    name: str, rng: random.Random, noise: MatchingNoise, country: str | None
) -> tuple[list[str], str | None, str]:
    """The words, legal form and legal-form punctuation of `name` after the noise."""
    base, suffix = _split(name)
    words = base.split()
    edits = 0
    if has_accents(base) and chance(rng, noise.accents):
        spell = fold_accents if rng.random() < 0.6 else transliterate
        words = [spell(word) for word in words]
    abbreviable = [i for i, word in enumerate(words) if word in _ABBREVIATIONS]
    abbreviated = -1
    if abbreviable and chance(rng, noise.abbreviation):
        abbreviated = rng.choice(abbreviable)
        words[abbreviated] = rng.choice(_ABBREVIATIONS[words[abbreviated]])
        edits += 1
    typeable = [
        i
        for i, word in enumerate(words)
        if i != abbreviated and len(word) >= 4 and word.isalpha() and word.lower() != "the"
    ]
    if typeable and chance(rng, noise.typo):
        i = typeable[0] if rng.random() < 0.5 else rng.choice(typeable)  # the first word is as likely as any
        words[i] = typo(words[i], rng)
        edits += 1
    if len(words) >= 2 and edits < _MAX_EDITS and chance(rng, noise.word_order):
        words = words[-1:] + words[:-1]
        edits += 1
    style = "plain"
    if suffix is not None:
        if chance(rng, noise.suffix_drop):
            suffix = None
        elif chance(rng, noise.suffix_change):
            others = [s for s in SUFFIXES.get(country or _COUNTRY_OF_SUFFIX.get(suffix, ""), ()) if s != suffix]
            if others and rng.random() < 0.7:
                suffix = rng.choice(others)
            else:
                style = rng.choice(("comma", "comma_dot") if suffix not in _DOTTED_SUFFIXES else ("dot", "comma_dot"))
    return words, suffix, style


def noisy_name(name: str, rng: random.Random, noise: MatchingNoise, country: str | None = None) -> str:
    """`name` as someone typed it again from memory: typos, abbreviations, another or no legal
    form, words swapped, accents lost, each at its `MatchingNoise` rate (maybe unchanged)."""
    return _compose(*_noisy_parts(name, rng, noise, country))


def name_variant(name: str, rng: random.Random, noise: MatchingNoise | None = None, country: str | None = None) -> str:
    """Another spelling of the same company, as a person would type it in another system;
    never `name` itself. Without noise (or with `clean` noise) a format variant that normalises
    back to `name` ('Acme Corp' -> 'ACME Corporation', 'Summit Logistics Ltd' -> 'Summit
    Logistics Limited'); with noise also typos, abbreviations, another legal form, swapped
    words or lost accents ('Whitmore Health Ltd' -> 'Whitmroe Health PLC')."""
    if noise is None or not noise.names_noisy:
        return _format_variant(name, rng)
    words, suffix, style = _noisy_parts(name, rng, noise, country)
    plain = _compose(words, suffix, style)
    if plain == name:
        return _format_variant(name, rng)
    if rng.random() < 0.5:
        return plain
    options = [plain.upper(), f"The {plain}"]
    if suffix in _LONG_SUFFIX and style == "plain":
        options.append(f"{' '.join(words)} {_LONG_SUFFIX[suffix]}")
    options = [option for option in options if option != name]
    return rng.choice(options) if options else plain


def false_friend_name(base: str, name: str, country: str, rng: random.Random) -> tuple[str, str, str]:
    """(base, legal name, kind) of ANOTHER company a person could take for `name`: the same
    first word and another noun ('Clearwater Holdings LLC' vs 'Clearwater Group Corp'), a
    one-letter difference in the noun ('Summit Logistics Ltd' vs 'Summit Logistic Ltd'), or the
    same base under another legal form ('Summit Logistics Ltd' vs 'Summit Logistics PLC')."""
    words = base.split()
    suffix = name.split()[-1]
    others = [s for s in SUFFIXES[country] if s != suffix]
    kind = rng.choice(("noun", "letter", "suffix"))
    if kind == "noun":
        noun = rng.choice([n for n in _NOUNS if n not in words])
        new = f"{' '.join(words[:-1])} {noun}"
        return new, f"{new} {rng.choice(SUFFIXES[country])}", kind
    if kind == "letter":
        last = words[-1]
        changed = last[:-1] if last.endswith("s") and len(last) > 4 and rng.random() < 0.5 else typo(last, rng)
        new = " ".join([*words[:-1], changed])
        return new, f"{new} {suffix}", kind
    return base, f"{base} {rng.choice(others)}", kind


def free_mail(base: str, rng: random.Random) -> str:
    """An accounts e-mail on a free-mail domain ('summit.logistics@gmail.com'): evidence of
    nothing about the company's own domain."""
    words = ["".join(ch for ch in word if ch.isalnum()) for word in fold_accents(base).lower().split()]
    local = rng.choice((".".join, "".join))([word for word in words if word])
    if rng.random() < 0.4:
        local = f"{rng.choice(('accounts', 'ap', 'finance', 'invoices'))}.{local}"
    return f"{local}@{rng.choice(FREE_MAIL_DOMAINS)}"


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


def domain(base: str, country: str, hyphen: bool = False) -> str:
    """The company's web domain, accents folded ('Zürich Health' -> www.zurichhealth.de);
    `hyphen` separates the words ('www.zurich-health.de')."""
    words = ["".join(ch for ch in word if ch.isalnum()) for word in fold_accents(base).lower().split()]
    slug = ("-" if hyphen else "").join(word for word in words if word)
    return f"www.{slug}.{_TLD[country]}"


def fold_key(base: str) -> str:
    """What two names share when a person would call them the same: accents folded, case and
    punctuation dropped ('Nørland Energy' and 'Norland-Energy' share one key)."""
    return "".join(ch for ch in fold_accents(base).lower() if ch.isalnum())


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
