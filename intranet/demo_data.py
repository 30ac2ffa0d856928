"""Demo data for the fictional municipality "Fjordvik kommune" (all people and places are made up).

National ids are synthetic test fødselsnummer (month + 80) and can never belong to a real person.
"""

from datetime import date
from typing import Any, Dict, List, Optional

MUNICIPALITY = "Fjordvik kommune"
# Made up like the municipality: no municipality has this number (15xx is Møre og Romsdal's series).
MUNICIPALITY_NUMBER = "1599"

DEMO_PASSWORD = "demo-passord-2026"

# Reference date the demo data is built around (ages are realistic on this day).
REFERENCE_DATE = date(2026, 11, 23)

_K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def synthetic_fnr(birth_date: date, individual: int) -> str:
    """Return a synthetic fødselsnummer (month + 80) with a valid mod-11 checksum.

    Raises ValueError if the individual number is out of range or gives check digit 10.
    By convention the last digit of the individual number is even for girls, odd for boys.
    """
    if not 0 <= individual <= 999:
        raise ValueError("individual number must be 0-999")
    base = "%02d%02d%02d%03d" % (birth_date.day, birth_date.month + 80, birth_date.year % 100, individual)
    digits = [int(c) for c in base]
    k1 = 11 - sum(w * d for w, d in zip(_K1_WEIGHTS, digits)) % 11
    if k1 == 11:
        k1 = 0
    if k1 == 10:
        raise ValueError("check digit k1 is 10 for %s/%03d; choose another individual number" % (birth_date, individual))
    digits.append(k1)
    k2 = 11 - sum(w * d for w, d in zip(_K2_WEIGHTS, digits)) % 11
    if k2 == 11:
        k2 = 0
    if k2 == 10:
        raise ValueError("check digit k2 is 10 for %s/%03d; choose another individual number" % (birth_date, individual))
    return base + str(k1) + str(k2)


UNITS: List[Dict[str, str]] = [
    {"key": "solsikken", "name": "Solsikken barnehage", "kind": "barnehage",
     "street": "Solsikkevegen 2", "postcode": "6412", "place": "Fjordvik"},
    {"key": "fjordvikskole", "name": "Fjordvik skole", "kind": "skole",
     "street": "Skoleveien 1", "postcode": "6412", "place": "Fjordvik"},
    {"key": "helsestasjonen", "name": "Helsestasjonen i Fjordvik", "kind": "helsestasjon",
     "street": "Rådhusplassen 1", "postcode": "6412", "place": "Fjordvik"},
    # The services a collaboration may admit beyond the municipality's units (the key is the kind).
    {"key": "bup", "name": "BUP Fjordvik, poliklinikk for barn og unge", "kind": "bup",
     "street": "Sykehusveien 12", "postcode": "6412", "place": "Fjordvik"},
    {"key": "nav", "name": "NAV Fjordvik", "kind": "nav",
     "street": "Storgata 40", "postcode": "6412", "place": "Fjordvik"},
    {"key": "psykisk_helse", "name": "Psykisk helse og rus, Fjordvik kommune", "kind": "psykisk_helse",
     "street": "Rådhusplassen 3", "postcode": "6412", "place": "Fjordvik"},
    {"key": "fastlege", "name": "Fjordvik legesenter", "kind": "fastlege",
     "street": "Kirkeveien 5", "postcode": "6412", "place": "Fjordvik"},
]

USERS: List[Dict[str, Optional[str]]] = [
    # Staff in the units
    {"username": "pedleder", "name": "Ingrid Solberg", "role": "staff",
     "unit": "solsikken", "service": None, "title": "Pedagogisk leder"},
    {"username": "barnehagelaerer", "name": "Jonas Aamodt", "role": "staff",
     "unit": "solsikken", "service": None, "title": "Barnehagelærer"},
    {"username": "laerer", "name": "Ola Haugen", "role": "staff",
     "unit": "fjordvikskole", "service": None, "title": "Kontaktlærer"},
    {"username": "sfo", "name": "Marte Vold", "role": "staff",
     "unit": "fjordvikskole", "service": None, "title": "SFO-leder"},
    {"username": "helsesykepleier", "name": "Sunniva Dahl", "role": "staff",
     "unit": "helsestasjonen", "service": None, "title": "Helsesykepleier"},
    # Unit leaders
    {"username": "styrer", "name": "Kari Nordmann", "role": "unit_leader",
     "unit": "solsikken", "service": None, "title": "Styrer"},
    {"username": "rektor", "name": "Bjørn Strand", "role": "unit_leader",
     "unit": "fjordvikskole", "service": None, "title": "Rektor"},
    {"username": "helseleder", "name": "Hilde Moen", "role": "unit_leader",
     "unit": "helsestasjonen", "service": None, "title": "Leder, helsestasjonen"},
    # One each in the services a collaboration may admit (staff of their unit)
    {"username": "bup", "name": "Nora Strømsnes", "role": "staff",
     "unit": "bup", "service": None, "title": "Psykologspesialist, BUP"},
    {"username": "nav", "name": "Petter Hovde", "role": "staff",
     "unit": "nav", "service": None, "title": "Veileder, NAV"},
    {"username": "psykiskhelse", "name": "Randi Lyngstad", "role": "staff",
     "unit": "psykisk_helse", "service": None, "title": "Psykiatrisk sykepleier"},
    {"username": "fastlege", "name": "Amund Kleiven", "role": "staff",
     "unit": "fastlege", "service": None, "title": "Fastlege"},
    # Municipal resource team (one per service)
    {"username": "barnevern", "name": "Tor Eriksen", "role": "resource_team",
     "unit": None, "service": "barnevern", "title": "Barnevernskonsulent"},
    {"username": "helsetjeneste", "name": "Anne Myklebust", "role": "resource_team",
     "unit": None, "service": "helsestasjon", "title": "Helsesykepleier, helsestasjons- og skolehelsetjenesten"},
    {"username": "ppt", "name": "Reidar Lunde", "role": "resource_team",
     "unit": None, "service": "ppt", "title": "PP-rådgiver"},
    # Municipality-wide roles
    {"username": "personvern", "name": "Lise Aune", "role": "privacy_officer",
     "unit": None, "service": None, "title": "Personvernombud"},
    {"username": "kommunalsjef", "name": "Geir Bakken", "role": "municipal_leader",
     "unit": None, "service": None, "title": "Kommunalsjef oppvekst"},
    {"username": "admin", "name": "Eirik Nilsen", "role": "admin",
     "unit": None, "service": None, "title": "IT-administrator"},
]

CHILDREN: List[Dict[str, Any]] = [
    # --- Solsikken barnehage (born 2021-2024) ---
    {"first_name": "Sofie", "last_name": "Kvernmo", "birth_date": date(2021, 4, 12), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2021, 4, 12), 674),
     "guardians": [
         {"name": "Eline Kvernmo", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 412 38 905", "email": "eline.kvernmo@example.no", "address": "Bjørkeveien 3, 6412 Fjordvik"},
         {"name": "Thomas Kvernmo", "relation": "far", "parental_responsibility": True,
          "phone": "+47 928 51 470", "email": "thomas.kvernmo@example.no", "address": "Bjørkeveien 3, 6412 Fjordvik"},
     ]},
    {"first_name": "Zuzanna", "last_name": "Kowalczyk", "birth_date": date(2022, 9, 3), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2022, 9, 3), 570),
     "guardians": [
         {"name": "Agnieszka Kowalczyk", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 467 20 318", "email": "agnieszka.kowalczyk@example.no", "address": "Kaiveien 18, 6412 Fjordvik"},
         {"name": "Tomasz Kowalczyk", "relation": "far", "parental_responsibility": True,
          "phone": "+47 405 87 162", "email": "tomasz.kowalczyk@example.no", "address": "Kaiveien 18, 6412 Fjordvik"},
     ]},
    {"first_name": "Mahad", "last_name": "Warsame", "birth_date": date(2022, 5, 27), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2022, 5, 27), 557),
     "guardians": [
         {"name": "Fadumo Hirsi", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 941 06 273", "email": "fadumo.hirsi@example.no", "address": "Strandvegen 7B, 6412 Fjordvik"},
         {"name": "Abdirahman Warsame", "relation": "far", "parental_responsibility": True,
          "phone": "+47 473 62 815", "email": "abdirahman.warsame@example.no", "address": "Strandvegen 7B, 6412 Fjordvik"},
     ]},
    # Mother has sole parental responsibility; father lives elsewhere without it.
    {"first_name": "Theodor", "last_name": "Fjellstad", "birth_date": date(2023, 1, 20), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2023, 1, 20), 981),
     "guardians": [
         {"name": "Marianne Fjellstad", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 482 19 634", "email": "marianne.fjellstad@example.no", "address": "Lyngveien 22, 6413 Fjordvik"},
         {"name": "Kristoffer Rasten", "relation": "far", "parental_responsibility": False,
          "phone": "+47 901 44 287", "email": "kristoffer.rasten@example.no", "address": "Myrvegen 5, 6419 Fjordvik"},
     ]},
    {"first_name": "Maja", "last_name": "Sandvoll", "birth_date": date(2022, 6, 30), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2022, 6, 30), 750),
     "guardians": [
         {"name": "Hanne Sandvoll", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 413 75 096", "email": "hanne.sandvoll@example.no", "address": "Granlia 9, 6412 Fjordvik"},
         {"name": "Silje Aarvik", "relation": "medmor", "parental_responsibility": True,
          "phone": "+47 958 30 741", "email": "silje.aarvik@example.no", "address": "Granlia 9, 6412 Fjordvik"},
     ]},
    {"first_name": "Elias", "last_name": "Haddad", "birth_date": date(2021, 11, 8), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2021, 11, 8), 927),
     "guardians": [
         {"name": "Rania Al-Khatib", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 469 12 580", "email": "rania.alkhatib@example.no", "address": "Sjøgata 14, 6412 Fjordvik"},
         {"name": "Yousef Haddad", "relation": "far", "parental_responsibility": True,
          "phone": "+47 486 93 027", "email": "yousef.haddad@example.no", "address": "Sjøgata 14, 6412 Fjordvik"},
     ]},
    {"first_name": "Máret", "last_name": "Juuso", "birth_date": date(2022, 2, 14), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2022, 2, 14), 888),
     "guardians": [
         {"name": "Risten Juuso", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 934 58 106", "email": "risten.juuso@example.no", "address": "Reinvegen 4, 6418 Fjordvik"},
         {"name": "Aslak Juuso", "relation": "far", "parental_responsibility": True,
          "phone": "+47 452 07 639", "email": "aslak.juuso@example.no", "address": "Reinvegen 4, 6418 Fjordvik"},
     ]},
    {"first_name": "Jakob", "last_name": "Rønningen", "birth_date": date(2024, 3, 5), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2024, 3, 5), 941),
     "guardians": [
         {"name": "Ida Marie Rønningen", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 417 66 240", "email": "idamarie.ronningen@example.no", "address": "Furuhaugen 11, 6413 Fjordvik"},
         {"name": "Sander Rønningen", "relation": "far", "parental_responsibility": True,
          "phone": "+47 990 31 478", "email": "sander.ronningen@example.no", "address": "Furuhaugen 11, 6413 Fjordvik"},
     ]},
    # In foster care after a care order; the birth mother keeps parental responsibility.
    {"first_name": "Linnea", "last_name": "Brekkestø", "birth_date": date(2023, 8, 19), "unit": "solsikken",
     "national_id": synthetic_fnr(date(2023, 8, 19), 552),
     "guardians": [
         {"name": "Gunn Aarflot", "relation": "fosterforelder", "parental_responsibility": False,
          "phone": "+47 478 25 913", "email": "gunn.aarflot@example.no", "address": "Nausthaugen 2, 6416 Fjordvik"},
         {"name": "Rolf Aarflot", "relation": "fosterforelder", "parental_responsibility": False,
          "phone": "+47 917 40 362", "email": "rolf.aarflot@example.no", "address": "Nausthaugen 2, 6416 Fjordvik"},
         {"name": "Camilla Brekkestø", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 404 81 557", "email": "camilla.brekkesto@example.no", "address": "Torget 6, 6412 Fjordvik"},
     ]},
    # --- Fjordvik skole (born 2011-2020) ---
    {"first_name": "Henrik", "last_name": "Solbakken", "birth_date": date(2020, 5, 17), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2020, 5, 17), 743),
     "guardians": [
         {"name": "Kristine Solbakken", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 412 90 374", "email": "kristine.solbakken@example.no", "address": "Skoleveien 8, 6412 Fjordvik"},
         {"name": "Anders Solbakken", "relation": "far", "parental_responsibility": True,
          "phone": "+47 926 14 853", "email": "anders.solbakken@example.no", "address": "Skoleveien 8, 6412 Fjordvik"},
     ]},
    # Came from Ukraine with her mother, who is the only guardian in Norway.
    {"first_name": "Daryna", "last_name": "Kovalenko", "birth_date": date(2015, 10, 2), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2015, 10, 2), 922),
     "guardians": [
         {"name": "Olena Kovalenko", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 465 38 201", "email": "olena.kovalenko@example.no", "address": "Havnegata 21, 6412 Fjordvik"},
     ]},
    # Father has sole parental responsibility; mother without it.
    {"first_name": "Vetle", "last_name": "Kleppestø", "birth_date": date(2012, 7, 22), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2012, 7, 22), 633),
     "guardians": [
         {"name": "Håkon Kleppestø", "relation": "far", "parental_responsibility": True,
          "phone": "412 57 096", "email": "hakon.kleppesto@example.no", "address": "Åsveien 13, 6414 Fjordvik"},
         {"name": "Tone Grimstad", "relation": "mor", "parental_responsibility": False,
          "phone": "938 02 614", "email": "tone.grimstad@example.no", "address": "Kirkebakken 4, 6412 Fjordvik"},
     ]},
    {"first_name": "Tuva", "last_name": "Hjelmeland", "birth_date": date(2017, 1, 9), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2017, 1, 9), 962),
     "guardians": [
         {"name": "Ragnhild Hjelmeland", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 483 71 925", "email": "ragnhild.hjelmeland@example.no", "address": "Bekkeveien 16, 6413 Fjordvik"},
         {"name": "Espen Hjelmeland", "relation": "far", "parental_responsibility": True,
          "phone": "+47 957 26 308", "email": "espen.hjelmeland@example.no", "address": "Bekkeveien 16, 6413 Fjordvik"},
     ]},
    {"first_name": "Selma", "last_name": "Grindheim", "birth_date": date(2016, 3, 28), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2016, 3, 28), 924),
     "guardians": [
         {"name": "Ingvild Grindheim", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 406 13 582", "email": "ingvild.grindheim@example.no", "address": "Løkkeveien 30, 6412 Fjordvik"},
         {"name": "Morten Grindheim", "relation": "far", "parental_responsibility": True,
          "phone": "+47 918 64 027", "email": "morten.grindheim@example.no", "address": "Løkkeveien 30, 6412 Fjordvik"},
     ]},
    {"first_name": "Mathias", "last_name": "Storvoll", "birth_date": date(2014, 12, 1), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2014, 12, 1), 855),
     "guardians": [
         {"name": "Heidi Storvoll", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 474 39 610", "email": "heidi.storvoll@example.no", "address": "Fjellveien 22, 6415 Fjordvik"},
         {"name": "Ketil Storvoll", "relation": "far", "parental_responsibility": True,
          "phone": "+47 936 85 142", "email": "ketil.storvoll@example.no", "address": "Fjellveien 22, 6415 Fjordvik"},
     ]},
    {"first_name": "Amalie", "last_name": "Fossheim", "birth_date": date(2018, 9, 14), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2018, 9, 14), 912),
     "guardians": [
         {"name": "Cecilie Fossheim", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 419 02 763", "email": "cecilie.fossheim@example.no", "address": "Elvegata 5, 6412 Fjordvik"},
         {"name": "Lars Petter Fossheim", "relation": "far", "parental_responsibility": True,
          "phone": "+47 982 47 315", "email": "larspetter.fossheim@example.no", "address": "Elvegata 5, 6412 Fjordvik"},
     ]},
    # Unaccompanied minor from Eritrea settled in the municipality; has an appointed verge.
    {"first_name": "Yonas", "last_name": "Tesfamariam", "birth_date": date(2011, 2, 10), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2011, 2, 10), 851),
     "guardians": [
         {"name": "Berit Holmsen", "relation": "verge", "parental_responsibility": True,
          "phone": "+47 452 96 038", "email": "berit.holmsen@example.no", "address": "Prestegårdsveien 1, 6412 Fjordvik"},
     ]},
    {"first_name": "Sindre", "last_name": "Moldestad", "birth_date": date(2013, 6, 6), "unit": "fjordvikskole",
     "national_id": synthetic_fnr(date(2013, 6, 6), 869),
     "guardians": [
         {"name": "Merete Moldestad", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 461 70 829", "email": "merete.moldestad@example.no", "address": "Tunveien 12, 6417 Fjordvik"},
         {"name": "Øyvind Moldestad", "relation": "far", "parental_responsibility": True,
          "phone": "+47 940 18 356", "email": "oyvind.moldestad@example.no", "address": "Tunveien 12, 6417 Fjordvik"},
     ]},
    # --- Helsestasjonen i Fjordvik (infants born 2025-2026) ---
    {"first_name": "Olav", "last_name": "Heggdal", "birth_date": date(2025, 12, 3), "unit": "helsestasjonen",
     "national_id": synthetic_fnr(date(2025, 12, 3), 703),
     "guardians": [
         {"name": "Julie Heggdal", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 408 35 694", "email": "julie.heggdal@example.no", "address": "Solvangvegen 27, 6413 Fjordvik"},
         {"name": "Magnus Heggdal", "relation": "far", "parental_responsibility": True,
          "phone": "+47 951 62 870", "email": "magnus.heggdal@example.no", "address": "Solvangvegen 27, 6413 Fjordvik"},
     ]},
    {"first_name": "Astrid", "last_name": "Vikestad", "birth_date": date(2026, 6, 18), "unit": "helsestasjonen",
     "national_id": synthetic_fnr(date(2026, 6, 18), 508),
     "guardians": [
         {"name": "Mari Vikestad", "relation": "mor", "parental_responsibility": True,
          "phone": "+47 487 20 519", "email": "mari.vikestad@example.no", "address": "Måkeveien 10, 6412 Fjordvik"},
         {"name": "Jørgen Tveiten", "relation": "far", "parental_responsibility": True,
          "phone": "+47 913 58 042", "email": "jorgen.tveiten@example.no", "address": "Måkeveien 10, 6412 Fjordvik"},
     ]},
]


def _check() -> None:
    """Self-test of the demo data; raises AssertionError on any inconsistency."""
    assert len(UNITS) == 7, len(UNITS)
    assert len(USERS) == 18, len(USERS)
    assert len(CHILDREN) == 20, len(CHILDREN)

    unit_keys = {u["key"] for u in UNITS}
    assert len(unit_keys) == len(UNITS), "duplicate unit keys"
    assert {u["kind"] for u in UNITS} == {"barnehage", "skole", "helsestasjon", "bup", "nav", "psykisk_helse",
                                          "fastlege"}

    roles = {"staff", "unit_leader", "resource_team", "privacy_officer", "municipal_leader", "admin"}
    assert {u["role"] for u in USERS} == roles, {u["role"] for u in USERS}
    usernames = [u["username"] for u in USERS]
    assert len(set(usernames)) == len(usernames), "duplicate usernames"
    for u in USERS:
        name = u["username"]
        assert name and name.isascii() and name == name.lower(), name
        assert u["unit"] is None or u["unit"] in unit_keys, u
        if u["role"] in ("staff", "unit_leader"):
            assert u["unit"] is not None, u
        if u["role"] == "resource_team":
            assert u["unit"] is None and u["service"] in ("barnevern", "helsestasjon", "ppt"), u
        else:
            assert u["service"] is None, u
    assert {u["service"] for u in USERS if u["role"] == "resource_team"} == {"barnevern", "helsestasjon", "ppt"}

    relations = {"mor", "far", "medmor", "fosterforelder", "verge"}
    ids = set()
    for c in CHILDREN:
        assert c["unit"] in unit_keys, c["unit"]
        assert len(c["first_name"]) >= 3, c["first_name"]
        fnr = c["national_id"]
        assert len(fnr) == 11 and fnr.isdigit(), fnr
        bd = c["birth_date"]
        assert synthetic_fnr(bd, int(fnr[6:9])) == fnr, fnr  # checksum and birth date match
        assert 500 <= int(fnr[6:9]) <= 999, fnr
        assert bd <= REFERENCE_DATE, bd
        ids.add(fnr)
        guardians = c["guardians"]
        assert guardians, c["first_name"]
        assert any(g["parental_responsibility"] for g in guardians), c["first_name"]
        for g in guardians:
            assert g["relation"] in relations, g
            assert g["email"].endswith("@example.no"), g["email"]
    assert len(ids) == len(CHILDREN), "duplicate national ids"
    names = [(c["first_name"], c["last_name"]) for c in CHILDREN]
    assert len({n[0] for n in names}) == len(names), "duplicate child first names"
    assert len({n[1] for n in names}) == len(names), "duplicate child surnames"
