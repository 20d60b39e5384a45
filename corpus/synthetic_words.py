"""The word pools and script tables the synthetic dataset draws names from, and the
helpers that spell with them (``corpus.synthetic`` builds articles from these;
``bench/screening_index.py`` builds its name-matching pairs from them too)."""

from __future__ import annotations

PERSIAN_GIVEN = [
    "Mohammad",
    "Ali",
    "Hossein",
    "Reza",
    "Hassan",
    "Mahmoud",
    "Mehdi",
    "Abbas",
    "Javad",
    "Saeed",
    "Hamid",
    "Majid",
    "Morteza",
    "Mostafa",
    "Ahmad",
    "Amir",
    "Fatemeh",
    "Zahra",
    "Maryam",
    "Narges",
    "Masoud",
    "Kazem",
    "Yousef",
    "Ebrahim",
    "Esmail",
    "Gholam",
    "Hojjat",
    "Rahim",
    "Karim",
    "Nasser",
]
RUSSIAN_GIVEN = [
    "Sergei",
    "Vladimir",
    "Dmitri",
    "Alexei",
    "Ivan",
    "Nikolai",
    "Mikhail",
    "Andrei",
    "Yuri",
    "Igor",
    "Oleg",
    "Pavel",
    "Boris",
    "Viktor",
    "Anatoly",
    "Olga",
    "Tatiana",
    "Elena",
    "Natalia",
    "Irina",
]
WESTERN_GIVEN = [
    "John",
    "James",
    "Michael",
    "David",
    "Robert",
    "Thomas",
    "Peter",
    "Hans",
    "Klaus",
    "Pieter",
    "Jan",
    "Marie",
    "Anna",
    "Sophie",
    "Pierre",
    "Jean",
    "Laura",
    "Emma",
    "Lukas",
    "Daniel",
]
FEMALE = {
    "Fatemeh",
    "Zahra",
    "Maryam",
    "Narges",
    "Olga",
    "Tatiana",
    "Elena",
    "Natalia",
    "Irina",
    "Marie",
    "Anna",
    "Sophie",
    "Laura",
    "Emma",
}
GIVEN = {"fa": PERSIAN_GIVEN, "ru": RUSSIAN_GIVEN, "en": WESTERN_GIVEN}
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "za",
    "de",
    "vi",
    "ba",
    "gh",
    "ne",
    "sh",
    "ta",
    "lo",
    "fa",
    "ra",
    "mi",
    "no",
    "sa",
    "ha",
    "je",
    "ku",
    "pe",
    "do",
    "ni",
    "ma",
    "ro",
    "be",
    "li",
    "te",
    "vo",
    "ze",
    "ar",
    "an",
    "ol",
    "es",
]
ENDINGS = {
    "fa": ["i", "ian", "zadeh", "pour", "nejad", "far", "abadi"],
    "ru": ["ov", "ova", "in", "ina", "enko", "sky"],
    "en": ["son", "er", "man", "ley", "ton", "berg", "mann"],
}
ORG_WORDS = [
    "Trading",
    "Industries",
    "Shipping",
    "Engineering",
    "Aviation",
    "Electronics",
    "Logistics",
    "Holding",
    "Petrochemical",
    "Technologies",
    "Investment",
    "Construction",
    "Bank",
    "Energy",
    "Systems",
]
LEGAL = ["LLC", "Ltd", "GmbH", "JSC", "Company", "Corporation", "PJSC", "Co.", "OOO"]

CYRILLIC = [
    ("shch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("y", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("j", "й"),
    ("c", "к"),
    ("x", "кс"),
    ("w", "в"),
    ("q", "к"),
]
PERSIAN = [
    ("kh", "خ"),
    ("gh", "ق"),
    ("sh", "ش"),
    ("ch", "چ"),
    ("zh", "ژ"),
    ("ou", "و"),
    ("ee", "ی"),
    ("b", "ب"),
    ("p", "پ"),
    ("t", "ت"),
    ("j", "ج"),
    ("h", "ه"),
    ("d", "د"),
    ("r", "ر"),
    ("z", "ز"),
    ("s", "س"),
    ("f", "ف"),
    ("q", "ق"),
    ("k", "ک"),
    ("g", "گ"),
    ("l", "ل"),
    ("m", "م"),
    ("n", "ن"),
    ("v", "و"),
    ("w", "و"),
    ("y", "ی"),
    ("i", "ی"),
    ("u", "و"),
    ("o", ""),
    ("e", ""),
    ("a", ""),
    ("c", "ک"),
    ("x", "کس"),
]

COUNTRY_NAMES = {
    "IR": "Iran",
    "RU": "Russia",
    "GB": "the United Kingdom",
    "DE": "Germany",
    "NL": "the Netherlands",
    "US": "the United States",
    "AE": "the United Arab Emirates",
    "TR": "Turkey",
    "CN": "China",
    "BY": "Belarus",
}
NATIONALITY = {"fa": ["IR"], "ru": ["RU", "RU", "BY"], "en": ["GB", "DE", "NL", "US"]}
ORG_COUNTRIES = {"fa": ["IR", "IR", "AE", "TR"], "ru": ["RU", "RU", "BY", "CN"], "en": ["GB", "DE", "NL", "AE"]}
ORG_KINDS = [
    ("company", "company"),
    ("company", "company"),
    ("company", "company"),
    ("government_body", "government agency"),
    ("military_unit", "military unit"),
    ("research_body", "research institute"),
]
ROLES = [
    ("head_of", "director"),
    ("deputy_head_of", "deputy director"),
    ("employee_of", "engineer"),
    ("employee_of", "procurement agent"),
    ("owner_of", ""),
    ("member_of", "board member"),
]

# (name, short name, country): the authorities acting in the articles, with their programmes.
AUTHORITIES = [
    ("Office of Foreign Assets Control", "OFAC", "US"),
    ("Council of the European Union", "EU Council", ""),
    ("Foreign, Commonwealth and Development Office", "FCDO", "GB"),
    ("United Nations Security Council", "UN Security Council", ""),
]
PROGRAMMES = {
    "Office of Foreign Assets Control": [
        ("Iran-related sanctions", "IRAN"),
        ("Russian harmful foreign activities sanctions", "RUSSIA-EO14024"),
        ("Non-proliferation sanctions", "NPWMD"),
    ],
    "Council of the European Union": [
        ("Restrictive measures against Russia (Ukraine)", "UKR"),
        ("Iran drones and missiles regime", "IRN-UAV"),
    ],
    "Foreign, Commonwealth and Development Office": [
        ("Russia sanctions regime", "RUS"),
        ("Iran sanctions regime", "IRN"),
    ],
    "United Nations Security Council": [],
}
MEASURE_WORDS = {
    "asset_freeze": "an asset freeze",
    "travel_ban": "a travel ban",
    "financial_services_ban": "a ban on financial services",
    "export_restriction": "export restrictions",
}
ACTIONS = [  # (kind, status, verb, measures for persons, measures for organisations)
    ("designation", "in_force", "designated", ["asset_freeze", "travel_ban"], ["asset_freeze"]),
    (
        "designation",
        "announced",
        "announced the designation of",
        ["asset_freeze", "travel_ban"],
        ["asset_freeze", "financial_services_ban"],
    ),
    ("export_control", "in_force", "restricted exports to", ["export_restriction"], ["export_restriction"]),
    ("threat", "threatened", "threatened measures against", [], []),
]


def to_script(name, table, initial_a=""):
    """A rough letter-by-letter spelling of a Latin name in another script."""
    out = []
    for word in name.lower().split():
        i, w = 0, ""
        if word[0] in "aeiou" and initial_a:
            w, i = initial_a, 1
        while i < len(word):
            for latin, native in table:
                if word.startswith(latin, i):
                    w += native
                    i += len(latin)
                    break
            else:
                i += 1
        out.append(w.capitalize() if table is CYRILLIC else w)
    return " ".join(w for w in out if w)


def family(rng, culture):
    return (
        "".join(rng.choice(SYLLABLES) for _ in range(rng.choice([1, 2, 2, 3]))) + rng.choice(ENDINGS[culture])
    ).capitalize()


def typo(rng, word):
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(["swap", "drop", "double"])
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def native_spelling(name, culture):
    """(spelling, lang) of a Latin name in Persian or Cyrillic script."""
    if culture == "fa":
        return to_script(name, PERSIAN, initial_a="ا"), "fa"
    return to_script(name, CYRILLIC), "ru"
