"""The demo municipality's electronic binder: the action guide (levels 0–3,
with the steps and deadlines the concern pages follow), information about a
unit, a case for training, links, the templates and the resource team's pages.

Written for this product; the steps match events/guide.py and intranet/labels.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from events.base import acting_as

GUIDE = """Handlingsveilederen beskriver hva du gjør når du er bekymret for et barn – fra
den første undringen til samarbeid med andre tjenester. Den bygger på modellen
**BTI – Bedre tverrfaglig innsats** og har fire nivåer.

| Nivå | Når | Hvem |
|---|---|---|
| [Nivå 0](/perm/handlingsveileder-niva-0) | Du undrer deg eller er bekymret | Du, lederen din, foresatte og barnet |
| [Nivå 1](/perm/handlingsveileder-niva-1) | Bekymringen trenger tiltak | Din egen tjeneste |
| [Nivå 2](/perm/handlingsveileder-niva-2) | Tiltakene er ikke nok | Én eller to andre tjenester |
| [Nivå 3](/perm/handlingsveileder-niva-3) | Behovene er sammensatte | Tre eller flere tjenester, eller spesialisthelsetjenesten |

## Ved mistanke om vold eller seksuelle overgrep

Kontakt **barnevernet eller politiet straks**. Ikke snakk med foresatte om bekymringen
først – det kan skade barnet eller en etterforskning. Barnevernvakten: **02800**.
Ved akutt fare: **112**.

## Opplysningsplikten til barnevernet

Du har en personlig plikt til å melde til barnevernet når det er grunn til å tro at et
barn blir mishandlet, utsatt for alvorlig omsorgssvikt eller har alvorlige atferdsvansker
(barnevernsloven § 13-2, barnehageloven § 46). Meldingen krever **ikke samtykke**.
Barnevernet skal gjennomgå meldingen innen **én uke**, bekrefte at den er mottatt innen
**tre uker**, og en undersøkelse tar inntil **tre måneder**.

## Dokumentasjon

Skriv ned det du ser og hører, med dato: fakta, ikke tolkninger. Bruk barnets egne ord
der du kan. Alt skrives i Bekymring, ikke på papir eller i e-post.
"""

LEVEL_0 = """**Du undrer deg over noe du har sett eller hørt, eller du er bekymret.**
Målet er å avklare om bekymringen er reell, i løpet av om lag **to uker**.

## Steg

1. **Skriv ned det du har sett og hørt, med dato – fakta, ikke tolkninger.**
   Opprett en [ny bekymring](/bekymringer/ny). Skriv barnets egne ord i eget felt.
2. **Drøft bekymringen med lederen din.** Leder ser alle bekymringer i enheten og kan
   hjelpe deg med å vurdere den. Drøft anonymt med andre ved behov.
3. **Snakk med foresatte og barnet innen om lag to uker.** Fortell hva du har sett, og
   spør hvordan de opplever det. Lytt til barnet på en måte som passer alder og modenhet.
   Registrer samtalen i bekymringen. *Unntak:* ved mistanke om vold eller overgrep
   snakker du **ikke** med foresatte først.
4. **Beslutt:** avslutte (bekymringen er avklart), tiltak på [nivå 1](/perm/handlingsveileder-niva-1),
   gå til nivå 2 eller 3, eller melde til barnevernet.

## Frister

| Hva | Frist |
|---|---|
| Samtale med foresatte og barnet | innen 14 dager etter første observasjon |
| Beslutning om videre steg | etter samtalen, senest innen 3 uker |

Bekymringer uten samtale etter 14 dager vises under **Forfalt**.
"""

LEVEL_1 = """**Bekymringen er reell, og du og din egen tjeneste setter inn tiltak.**

## Steg

1. **Lag en tiltaksplan sammen med foresatte.** Beskriv tiltaket, hvem som er ansvarlig,
   frist og når det skal evalueres. Tiltaksplanen fylles ut på bekymringssiden.
2. **Gjennomfør tiltakene.** Før logg over det du observerer underveis.
3. **Evaluer tiltakene på avtalt dato** – vanligvis etter **6–8 uker**. Ta med foresatte
   og barnets syn.
4. **Beslutt:** avslutte, fortsette, eller gå videre til [nivå 2](/perm/handlingsveileder-niva-2).

## Eksempler på tiltak

- Tettere oppfølging i hverdagen, for eksempel en fast voksen ved levering
- Språkgruppe eller lesekurs
- Faste samtaler med foresatte hver fjortende dag
- Drøfting i ressursteamet (anonymt, eller med navn når samtykke foreligger)
"""

LEVEL_2 = """**Tiltakene i egen tjeneste er ikke nok, og du trenger én eller to andre tjenester**
(for eksempel helsestasjonen, PPT eller familievernkontoret).

## Steg

1. **Innhent samtykke fra foresatte til samarbeid med andre tjenester.** Samtykket gjelder
   tjenester, ikke personer, og skal si hvilke opplysninger som kan deles og hvorfor.
   Alle med foreldreansvar samtykker, og barnet selv fra 15 år for blant annet
   helsetjenester, PPT og barnevern.
2. **Avklar hvem som koordinerer (stafettholder).** Stafettholderen holder oversikten og
   kaller inn til møter.
3. **Lag en felles tiltaksplan med de andre tjenestene** – innen **fire uker** etter at
   samarbeidet starter.
4. **Evaluer tiltakene på avtalt dato** – hver **6.–8. uke**.
5. **Beslutt:** avslutte, fortsette, eller gå videre til [nivå 3](/perm/handlingsveileder-niva-3).

Uten gyldig samtykke kan saken bare drøftes **anonymt**.
"""

LEVEL_3 = """**Barnet og familien trenger tre eller flere tjenester, eller spesialisthelsetjenesten.**

## Steg

1. **Innhent samtykke fra foresatte til samarbeid med andre tjenester** – samtykket
   må omfatte alle tjenestene som skal samarbeide.
2. **Avklar hvem som koordinerer (stafettholder)** – ofte en koordinator fra kommunen.
3. **Opprett ansvarsgruppe** med foresatte, tjenestene og barnet der det passer.
   Første møte innen **fire uker**.
4. **Vurder individuell plan.** Barn med behov for langvarige og koordinerte tjenester
   har rett til individuell plan.
5. **Henvis til spesialisthelsetjenesten, PPT eller BUP (med samtykke).** Henvisning til
   BUP går via fastlegen. Henvisningen kan ikke sendes uten gyldig samtykke som omfatter
   tjenesten.
6. **Evaluer tiltakene på avtalt dato** i ansvarsgruppen, minst hver **tredje måned**.
"""

UNIT_INFO = """## Kontakt

- Styrer: Kari Nordmann
- Åpningstid: 06.45–16.45
- Fire avdelinger: Blåklokka, Hestehoven, Løvetann og Prestekragen

## Slik jobber vi med bekymringer

- Pedagogisk leder skriver bekymringen og drøfter den med styrer samme uke.
- Styrer går gjennom innboksen hver mandag.
- Vi drøfter saker i ressursteamet hver vår og høst. Meld inn saker til styrer innen
  tre uker før møtet.

## Overgang til skolen

Overgangsskjemaet fylles ut med foresatte i april og sendes skolen i mai, bare med
foresattes godkjenning. Overgangsmøtene med Fjordvik skole er i oktober og november.
"""

CASE = """*Caset er oppdiktet og brukes til opplæring. Det handler ikke om et virkelig barn.*

## Jenta som alltid var sulten

En jente på fem år kommer flere dager på rad uten matpakke. Hun spiser fort og spør
etter mer. En morgen sier hun: «Mamma sov, jeg fant ikke brødet.» Hun virker trøtt, og
klærne er ikke tilpasset været.

Pedagogisk leder skriver ned det hun ser, med dato, og barnets egne ord. Hun drøfter
det med styrer samme dag. Sammen avtaler de en samtale med mor innen to uker.

I samtalen forteller mor at hun har en tung periode og sover dårlig. Hun er lettet over
at barnehagen tar kontakt. De blir enige om en tiltaksplan på nivå 1: barnehagen har
ekstra mat tilgjengelig, og mor får informasjon om helsestasjonens tilbud.

## Til refleksjon

1. Hva er fakta, og hva er tolkninger i beskrivelsen over?
2. Hva ville du gjort annerledes hvis barnet hadde fortalt om vold hjemme?
3. Når bør saken gå videre til nivå 2?
4. Hvordan ville du snakket med barnet om det hun sa?
"""

LINKS = """## Nettsteder

- [Bufdir – Barne-, ungdoms- og familiedirektoratet](https://www.bufdir.no): om barnevern, opplysningsplikten og meldinger til barnevernet
- [Snakke med barn](https://www.snakkemedbarn.no): interaktivt verktøy og filmer som øver deg i samtaler med barn om vanskelige tema
- [Alarmtelefonen for barn og unge 116 111](https://www.116111.no): gratis for barn som trenger hjelp
- [Utdanningsdirektoratet](https://www.udir.no): om barnehagens og skolens ansvar
- [Helsedirektoratet](https://www.helsedirektoratet.no): om helsestasjon og skolehelsetjenesten
- [Lovdata](https://lovdata.no): barnevernsloven, barnehageloven og opplæringsloven

## Filmer til personalmøter

- *Snakke med barn*: simuleringer av samtaler med barn (på snakkemedbarn.no)
- *Hva gjør jeg når jeg er bekymret?*: gå gjennom [handlingsveilederen](/perm/handlingsveileder) sammen, nivå for nivå
"""

TEMPLATE_NOTE = """Et internt notat ved bekymring skrives i Bekymring som en **ny bekymring**.

Det skal inneholde:

- dato for observasjonen
- hva du har sett eller hørt – fakta, ikke tolkninger
- barnets egne ord, ordrett
- hvor bekymret du er, og hvilke områder det gjelder

Notatet er synlig for deg, lederen din og kolleger du deler det med. Hvert innsyn logges.
"""

TEMPLATE_REPORT = """Meldingen til barnevernet fylles ut fra bekymringen, med opplysningene fra loggen.
Den følger feltene i den nasjonale digitale bekymringsmeldingen.

- Meldingen krever **ikke samtykke**.
- Skriv om foresatte er orientert, og hvorfor ikke hvis de ikke er det.
- Ved mistanke om vold eller overgrep: kontakt barnevernet eller politiet **før** foresatte.
- Barnevernet bekrefter mottak innen **tre uker**. Følg med under **Meldinger**.
"""

TEMPLATE_CONSENT = """Samtykket registreres på barnets side. Det skal vise:

- hvilke **tjenester** (ikke personer) samtykket gjelder
- hvilke **opplysninger** som kan deles, og **formålet**
- gyldig fra og til (høyst 36 måneder)
- hvem som har samtykket: alle med foreldreansvar, og barnet selv fra 15 år for enkelte tjenester
- eventuelle unntak

Et muntlig samtykke er gyldig når det skrives ned. Et samtykke kan trekkes tilbake når som helst,
og det gjelder straks. Et nei registreres også. Samtykket kan skrives ut for signatur.
"""

TEMPLATE_PLAN = """Tiltaksplanen står på bekymringssiden. For hvert tiltak:

| Felt | Eksempel |
|---|---|
| Tiltak | Fast voksen ved levering hver morgen |
| Ansvarlig | Pedagogisk leder |
| Frist | når tiltaket skal være i gang |
| Evalueres | vanligvis 6–8 uker senere |
| Resultat | fylles ut ved evalueringen |

Lag planen sammen med foresatte.
"""

TEMPLATE_TRANSFER = """Overgangsskjemaet sendes fra barnehagen til skolen i **mai**, godkjent av foresatte.
Overgangsmøtet holdes i **oktober eller november**.

Skjemaet har fire felt: barnets styrker og interesser, behov for tilrettelegging og
oppfølging, foresattes kommentarer, og annet skolen bør vite. Du velger selv om foresatte,
samtykker, logg eller tiltaksplan skal følge med – send bare det skolen trenger.

Ingenting sendes før foresattes godkjenning er registrert, og du ser når skolen har åpnet
overføringen. Skjemaet brukes også når et barn flytter fra én skole til en annen.
"""

MANDATE = """## Formål

Ressursteamet gir råd til barnehager og skoler om barn det er knyttet bekymring til,
slik at barnet får rett hjelp tidlig.

## Sammensetning

- Barnevernstjenesten
- Helsestasjon og skolehelsetjenesten
- PPT
- Leder for enheten som melder inn saken

## Slik arbeider teamet

- Møter hver vår (februar–april) og høst (september–november), og ekstra ved behov.
- Saker drøftes **anonymt**, eller med navn bare når foresatte har samtykket til at
  tjenestene i teamet kan få opplysningene.
- Rådene skrives i referat. Enheten som meldte inn saken, følger opp.
"""

MEETING_PLAN = """*Utkast – datoene er ikke endelige.*

| Møte | Dato | Sted |
|---|---|---|
| Vårmøte, barnehagene | 11. februar 2027 | Rådhuset, møterom Fjorden |
| Vårmøte, skolene | 18. mars 2027 | Fjordvik skole |
| Høstmøte, barnehagene | 16. september 2027 | Rådhuset, møterom Fjorden |
| Høstmøte, skolene | 21. oktober 2027 | Fjordvik skole |

Meld inn saker til enhetens leder senest tre uker før møtet.
"""

# (slug, section, title, body, level, form, unit key, author username, publish)
PAGES: list[tuple[str, str, str, str, int | None, str | None, str | None, str, bool]] = [
    ("handlingsveileder", "guide", "Handlingsveileder – slik går du fram", GUIDE, None, None, None, "helsetjeneste", True),
    ("handlingsveileder-niva-0", "guide", "Nivå 0 – undring og avklaring", LEVEL_0, 0, None, None, "helsetjeneste", True),
    ("handlingsveileder-niva-1", "guide", "Nivå 1 – tiltak i egen tjeneste", LEVEL_1, 1, None, None, "helsetjeneste", True),
    ("handlingsveileder-niva-2", "guide", "Nivå 2 – samarbeid med én eller to tjenester", LEVEL_2, 2, None, None, "helsetjeneste", True),
    ("handlingsveileder-niva-3", "guide", "Nivå 3 – tre eller flere tjenester", LEVEL_3, 3, None, None, "helsetjeneste", True),
    ("solsikken-barnehage", "unit_info", "Solsikken barnehage", UNIT_INFO, None, None, "solsikken", "styrer", True),
    ("case-sulten-jente", "case", "Case: Jenta som alltid var sulten", CASE, None, None, None, "helsetjeneste", True),
    ("nyttige-lenker", "links", "Nyttige lenker og filmer", LINKS, None, None, None, "helsetjeneste", True),
    ("mal-internt-notat", "template", "Mal: internt notat ved bekymring", TEMPLATE_NOTE, None, "concern", None, "helsetjeneste", True),
    ("mal-melding-barnevernet", "template", "Mal: melding til barnevernet", TEMPLATE_REPORT, None, "report", None, "barnevern", True),
    ("mal-samtykke", "template", "Mal: samtykkeskjema", TEMPLATE_CONSENT, None, "consent", None, "helsetjeneste", True),
    ("mal-tiltaksplan", "template", "Mal: tiltaksplan", TEMPLATE_PLAN, None, "action_plan", None, "helsetjeneste", True),
    ("mal-overgangsskjema", "template", "Mal: overgangsskjema barnehage – skole", TEMPLATE_TRANSFER, None, "transfer", None, "styrer", True),
    ("ressursteamets-mandat", "resource_team", "Ressursteamets mandat", MANDATE, None, None, None, "barnevern", True),
    ("ressursteam-moteplan-2027", "resource_team", "Møteplan for ressursteamet 2027", MEETING_PLAN, None, None, None, "barnevern", False),
]


def load(app: Any, units: dict[str, UUID], users: dict[str, UUID]) -> dict[str, UUID]:
    """Create and (mostly) publish the demo binder; return the page ids by slug."""
    ids = {}
    for slug, section, title, body, level, form, unit, author, publish in PAGES:
        with acting_as(users[author]):
            ids[slug] = app.create_page(slug, section, title, body, level, form, units[unit] if unit else None)
            if publish:
                app.publish_page(slug)
    return ids
