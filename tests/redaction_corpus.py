"""A corpus of fictional concerns, written for testing the redactor.

Every person, number and address here is invented. The national identity
numbers are synthetic or made up with valid control digits; the phone numbers
and e-mail addresses belong to nobody we know of.

Each entry:
- "text": the concern as a unit leader might write it;
- "people": the registered child and guardians, as (name, role);
- "must_remove": exact substrings that must not survive redaction;
- "must_keep": substrings that must survive (the facts and dates of the case,
  and common words that look like names).
"""

from __future__ import annotations

CORPUS: list[dict] = [
    {
        "text": (
            "Ola Nordmann (f. 12.03.2019) går på avdeling Blåklokka i Solsikken barnehage. "
            "De siste tre ukene har Ola kommet uten matpakke fire av fem dager, og klærne er "
            "ofte for tynne for årstiden. Mandag 14. oktober hadde han på seg sommersko i sludd. "
            "Ola sa til assistenten: «Mamma sover når jeg står opp, så jeg spiser ikke frokost.» "
            "Mor, Kari Nordmann, har ikke svart på meldinger siden 2. oktober. "
            "Telefon mor: 412 34 567."
        ),
        "people": [("Ola Nordmann", "barnet"), ("Kari Nordmann", "mor")],
        "must_remove": ["Ola Nordmann", "12.03.2019", "Ola", "Kari Nordmann", "412 34 567"],
        "must_keep": [
            "Blåklokka", "Solsikken barnehage", "Mandag 14. oktober", "sommersko i sludd",
            "«Mamma sover når jeg står opp", "2. oktober", "uten matpakke",
        ],
    },
    {
        "text": (
            "Emma Sofie Berg-Hansen, 5B ved Lunde skole, kom på skolen torsdag 7. november med "
            "blåmerker på begge overarmene. Da kontaktlærer Ingrid Solberg spurte hva som hadde "
            "skjedd, sa Emma: «Pappa blir sint når han drikker. Han holdt meg hardt.» Emmas far, "
            "Tor Berg-Hansen, hentet henne kl. 15.30 og virket beruset. Foreldrene bor i "
            "Fjellveien 17, 1450 Nesoddtangen. Fødselsnummer 12031950706."
        ),
        "people": [("Emma Sofie Berg-Hansen", "barnet"), ("Tor Berg-Hansen", "far")],
        "must_remove": [
            "Emma Sofie Berg-Hansen", "Ingrid Solberg", "Emma", "Emmas", "Tor Berg-Hansen",
            "Fjellveien 17, 1450 Nesoddtangen", "12031950706",
        ],
        "must_keep": [
            "5B", "Lunde skole", "torsdag 7. november", "blåmerker på begge overarmene",
            "«Pappa blir sint når han drikker.", "kl. 15.30", "virket beruset",
        ],
    },
    {
        "text": (
            "Helsesykepleier ved Sentrum helsestasjon melder bekymring for Noah (8 måneder). "
            "Mor, Sara Ahmed, har ved de to siste kontrollene virket svært nedstemt og sa "
            "21. august at hun «ikke orker mer». Noah har ikke gått opp i vekt siden forrige "
            "kontroll. Far er ikke i bildet. Mor har telefon 98765432 og e-post "
            "sara.ahmed88@gmail.com. Adresse: Kirkegata 4, 3015 Drammen."
        ),
        "people": [("Noah Ahmed", "barnet"), ("Sara Ahmed", "mor")],
        "must_remove": [
            "Noah", "Sara Ahmed", "98765432", "sara.ahmed88@gmail.com", "Kirkegata 4, 3015 Drammen",
        ],
        "must_keep": [
            "Sentrum helsestasjon", "8 måneder", "21. august", "«ikke orker mer»",
            "ikke gått opp i vekt", "Far er ikke i bildet",
        ],
    },
    {
        "text": (
            "Jonas Lie har et fravær på 34 prosent dette skoleåret. Han har ikke vært på skolen "
            "siden fredag 15. mars. Skolen har ringt far, Geir Lie, på 45 67 89 01 flere ganger "
            "uten svar. Klassekameraten Mats sier at Jonas «spiller hele natta og sover om "
            "dagen». Da rektor var på hjemmebesøk 20. mars, var det søppelposer i gangen og det "
            "luktet røyk."
        ),
        "people": [("Jonas Lie", "barnet"), ("Geir Lie", "far")],
        "must_remove": ["Jonas Lie", "Jonas", "Geir Lie", "45 67 89 01", "Mats"],
        "must_keep": [
            "34 prosent", "fredag 15. mars", "«spiller hele natta og sover om dagen»",
            "20. mars", "søppelposer i gangen", "luktet røyk",
        ],
    },
    {
        "text": (
            "Ved henting tirsdag 3. september kom medmor Hilde Kvam og luktet sterkt av alkohol. "
            "Hun sjanglet og mistet bilnøklene på gulvet. Pedagogisk leder Trine Aas tilbød å "
            "ringe noen, men Hilde kjørte likevel med Vilde i bilen. Vilde (4 år) har tidligere "
            "sagt: «Mamma Hilde sover på sofaen med flasker.» Den andre mora, Marte Kvam, nås "
            "på +47 934 12 345."
        ),
        "people": [("Vilde Kvam", "barnet"), ("Hilde Kvam", "medmor"), ("Marte Kvam", "mor")],
        "must_remove": ["Hilde Kvam", "Trine Aas", "Hilde", "Vilde", "Marte Kvam", "+47 934 12 345"],
        "must_keep": [
            "tirsdag 3. september", "luktet sterkt av alkohol", "mistet bilnøklene", "4 år",
            "sover på sofaen med flasker",
        ],
    },
    {
        "text": (
            "Lærer observerte kutt på underarmen til Aisha Mohammed i gymtimen onsdag 9. oktober. "
            "Aisha sa: «Det er ingen som bryr seg uansett.» Hun har de siste ukene sittet alene "
            "i friminuttene. Mor, Fatima Mohammed, ble kontaktet samme dag og sa at familien har "
            "det tøft etter at far flyttet ut i sommer. Aisha er født 03.07.2012. Vennen hennes, "
            "Zainab, har også uttrykt bekymring."
        ),
        "people": [("Aisha Mohammed", "barnet"), ("Fatima Mohammed", "mor")],
        "must_remove": ["Aisha Mohammed", "Aisha", "Fatima Mohammed", "03.07.2012", "Zainab"],
        "must_keep": [
            "kutt på underarmen", "onsdag 9. oktober", "«Det er ingen som bryr seg uansett.»",
            "alene i friminuttene", "far flyttet ut i sommer",
        ],
    },
    {
        "text": (
            "Under 4-årskontrollen 11. juni fortalte Liam at «pappa slo mamma i hodet og hun "
            "gråt». Mor, Ida Johansen, bekreftet at det har vært en episode, men ønsket ikke å si "
            "mer. Far heter Stian Karlsen. Liam har gått ned i vekt og sover dårlig, ifølge mor. "
            "Mor kan nås på 47 11 22 33. Liam Johansen, fnr. 11052150061."
        ),
        "people": [("Liam Johansen", "barnet"), ("Ida Johansen", "mor"), ("Stian Karlsen", "far")],
        "must_remove": [
            "Liam", "Ida Johansen", "Stian Karlsen", "47 11 22 33", "Liam Johansen", "11052150061",
        ],
        "must_keep": [
            "4-årskontrollen", "11. juni", "«pappa slo mamma i hodet og hun gråt»",
            "gått ned i vekt", "sover dårlig",
        ],
    },
    {
        "text": (
            "Elevens navn er sofie Pettersen (7. trinn). Sofies klær er skitne og hun lukter "
            "urin. Hun har bedt om mat fra andre elever tre ganger denne uka. Sofie sier at "
            "«mamma er på jobb hele tiden, og pappa har flytta til Bergen». Mor heter Linda "
            "Pettersen, bor i Granåsen 12, og har telefon 0047 91234567."
        ),
        "people": [("Sofie Pettersen", "barnet"), ("Linda Pettersen", "mor")],
        "must_remove": [
            "sofie Pettersen", "Sofies", "Sofie", "Linda Pettersen", "Granåsen 12", "0047 91234567",
        ],
        "must_keep": ["7. trinn", "lukter urin", "tre ganger denne uka", "flytta til Bergen"],
    },
    {
        "text": (
            "Mia (3 år) og storebroren Elias går begge i Trollskogen barnehage. Mia biter og slår "
            "de andre barna og har mange raserianfall. Far, Kristian Olsen, forteller at mor er "
            "innlagt på psykiatrisk avdeling siden 1. februar. Barnehagelærer Hanne Dahl har sett "
            "at Mia ofte er sulten om morgenen. Mors navn er Camilla Olsen."
        ),
        "people": [("Mia Olsen", "barnet"), ("Kristian Olsen", "far"), ("Camilla Olsen", "mor")],
        "must_remove": ["Mia", "Elias", "Kristian Olsen", "Hanne Dahl", "Camilla Olsen"],
        "must_keep": [
            "3 år", "Trollskogen barnehage", "raserianfall", "psykiatrisk avdeling",
            "1. februar", "sulten om morgenen",
        ],
    },
    {
        "text": (
            "Lucas Andersen (10 år) fortalte helsesykepleier 2. desember at en voksen venn av "
            "familien, «onkel Rolf», viser ham filmer han ikke liker, og at det er «vår "
            "hemmelighet». Lucas ville ikke si mer. Familien bor i Solbakken 3B. Mor, Nina "
            "Andersen, er ikke informert. Fars navn er Thomas Andersen."
        ),
        "people": [("Lucas Andersen", "barnet"), ("Nina Andersen", "mor"), ("Thomas Andersen", "far")],
        "must_remove": [
            "Lucas Andersen", "Rolf", "Lucas", "Solbakken 3B", "Nina Andersen",
            "Thomas Andersen",
        ],
        "must_keep": [
            "10 år", "2. desember", "viser ham filmer han ikke liker", "«vår hemmelighet»",
            "ikke informert",
        ],
    },
    {
        "text": (
            "Per i dag har Oskar Nilsen hatt fem bekymringsfulle episoder. Hans mor, Marianne "
            "Nilsen, sier at gutten ikke får bo hos far lenger. Oskar har det vanskelig, og livet "
            "hjemme er preget av konflikt. Han sier: «Jeg vil bo hos pappa.» Samtalen skjedde "
            "28. januar kl. 12.15. Oskar spiser lunsj to ganger per uke."
        ),
        "people": [("Oskar Nilsen", "barnet"), ("Marianne Nilsen", "mor")],
        "must_remove": ["Oskar Nilsen", "Oskar", "Marianne Nilsen"],
        "must_keep": [
            "Per i dag", "Hans mor", "får bo hos far", "livet hjemme",
            "«Jeg vil bo hos pappa.»", "28. januar kl. 12.15", "to ganger per uke",
        ],
    },
    {
        "text": (
            "Familien kom til Norge i 2022. Yusuf Hassan (D-nummer 52031850002) går i 3. klasse. "
            "Tolken, Abdirahman, oversatte samtalen med mor Hodan Warsame 17. april. Yusuf "
            "forteller at han ofte passer lillesøsteren Amina alene om kveldene: «Mamma jobber "
            "natt, og jeg må lage mat.» Mor har nummer 40 12 34 56."
        ),
        "people": [("Yusuf Hassan", "barnet"), ("Hodan Warsame", "mor")],
        "must_remove": [
            "Yusuf Hassan", "52031850002", "Abdirahman", "Hodan Warsame", "Yusuf", "Amina",
            "40 12 34 56",
        ],
        "must_keep": [
            "Norge i 2022", "3. klasse", "17. april", "passer lillesøsteren",
            "«Mamma jobber natt, og jeg må lage mat.»",
        ],
    },
    {
        "text": (
            "Lea Solheim (5 år) hadde rødt merke på kinnet mandag 4. mars. Hun sa til Grete på "
            "avdelingen: «Per slo meg fordi jeg sølte.» Per Moen er mors samboer. Mor, Tone "
            "Solheim, sa ved henting at Lea hadde falt på trampolinen. Lea har begynt å tisse på "
            "seg igjen."
        ),
        "people": [("Lea Solheim", "barnet"), ("Tone Solheim", "mor")],
        "must_remove": ["Lea Solheim", "Grete", "Per", "Per Moen", "Tone Solheim", "Lea"],
        "must_keep": [
            "5 år", "rødt merke på kinnet", "mandag 4. mars", "fordi jeg sølte", "mors samboer",
            "falt på trampolinen", "tisse på seg igjen",
        ],
    },
    {
        "text": (
            "Mathias Eide (15) ble funnet ruset på skoletoalettet fredag 22. november. Han hadde "
            "piller han sa han hadde fått av «en kar på Torget». Mor, Heidi Eide, er sykemeldt for "
            "depresjon, og far, Rune Eide, bor i Spania. Mathias sier at «ingen hjemme merker når "
            "jeg er borte». Miljøterapeut Ahmed Butt har hatt samtaler med ham ukentlig siden "
            "august."
        ),
        "people": [("Mathias Eide", "barnet"), ("Heidi Eide", "mor"), ("Rune Eide", "far")],
        "must_remove": ["Mathias Eide", "Heidi Eide", "Rune Eide", "Mathias", "Ahmed Butt"],
        "must_keep": [
            "(15)", "ruset på skoletoalettet", "fredag 22. november", "«en kar på Torget»",
            "sykemeldt for depresjon", "bor i Spania", "ukentlig siden august",
        ],
    },
    {
        "text": (
            "Jordmor på helsestasjonen melder bekymring for Ella Berntsen, født 25.08.2024. Begge "
            "foreldrene, Kristine Berntsen og Jon-Erik Strand, har tidligere vært i LAR. Ved "
            "hjemmebesøk 9. september var det sprøyter synlig på kjøkkenbenken. Far sa: «Det er "
            "ikke mine.» Foreldrene bor i Møllerveien 8, 2317 Hamar. Mor: 92 33 44 55, far: "
            "jon.erik.strand@online.no."
        ),
        "people": [("Ella Berntsen", "barnet"), ("Kristine Berntsen", "mor"), ("Jon-Erik Strand", "far")],
        "must_remove": [
            "Ella Berntsen", "25.08.2024", "Kristine Berntsen", "Jon-Erik Strand",
            "Møllerveien 8, 2317 Hamar", "92 33 44 55", "jon.erik.strand@online.no",
        ],
        "must_keep": [
            "Jordmor på helsestasjonen", "LAR", "9. september", "sprøyter synlig på kjøkkenbenken",
            "«Det er ikke mine.»",
        ],
    },
    {
        "text": (
            "Siden skolestart har Nora Lund bodd mest hos Tante Kari fordi mor er mye syk. Nora "
            "sier at hun savner mamma, men at «det er roligere hos tante». Mor, Anette Lund, har "
            "ikke møtt på foreldresamtale 10. oktober eller 24. oktober. Nabojenta Selma forteller "
            "at Nora ofte sitter ute i trappa om kvelden."
        ),
        "people": [("Nora Lund", "barnet"), ("Anette Lund", "mor")],
        "must_remove": ["Nora Lund", "Kari", "Nora", "Anette Lund", "Selma"],
        "must_keep": [
            "Siden skolestart", "Tante", "«det er roligere hos tante»",
            "10. oktober eller 24. oktober", "sitter ute i trappa om kvelden",
        ],
    },
    {
        "text": (
            "Elev: Filip Kowalski, fødselsnummer 090810 50004. Mor: Agnieszka Kowalska, tlf. "
            "(+47) 455 66 777. Filip har vært borte 19 dager dette halvåret. Mor forklarer "
            "fraværet med at Filip «har vondt i magen», men han har ikke vært hos lege. Filip sier "
            "til læreren at han må passe lillebroren Kacper når mor jobber."
        ),
        "people": [("Filip Kowalski", "barnet"), ("Agnieszka Kowalska", "mor")],
        "must_remove": [
            "Filip Kowalski", "090810 50004", "Agnieszka Kowalska", "(+47) 455 66 777", "Filip",
            "Kacper",
        ],
        "must_keep": [
            "19 dager dette halvåret", "«har vondt i magen»", "ikke vært hos lege", "når mor jobber",
        ],
    },
    {
        "text": (
            "Theo Haugen (2 år) har nesten ikke språk og reagerer lite på navnet sitt. Han skal bo "
            "hos far annenhver uke. Far, Anders Haugen, nekter å la barnehagen henvise til PPT. "
            "Han sa 5. mai: «Dere skal ikke blande dere.» Theo blir ofte hentet etter stengetid "
            "kl. 16.30. Mor, Marit Haugen, nås på marit.haugen@hotmail.com."
        ),
        "people": [("Theo Haugen", "barnet"), ("Anders Haugen", "far"), ("Marit Haugen", "mor")],
        "must_remove": [
            "Theo Haugen", "Anders Haugen", "Theo", "Marit Haugen", "marit.haugen@hotmail.com",
        ],
        "must_keep": [
            "2 år", "skal bo hos far annenhver uke", "henvise til PPT", "5. mai",
            "«Dere skal ikke blande dere.»", "stengetid kl. 16.30",
        ],
    },
    {
        "text": (
            "Maja Lunde (13) har fortalt kontaktlæreren at hun chatter med en «Daniel, 17 år» på "
            "Snapchat som ber om bilder. Maja har fått gaver sendt til Fjordveien 21. "
            "Foreldrene, Eva Lunde og Bjørn Lunde, vet ikke om dette. Maja sa: «Han sier han blir "
            "lei seg hvis jeg ikke svarer.» Samtalen var 6. februar."
        ),
        "people": [("Maja Lunde", "barnet"), ("Eva Lunde", "mor"), ("Bjørn Lunde", "far")],
        "must_remove": ["Maja Lunde", "Daniel", "Maja", "Fjordveien 21", "Eva Lunde", "Bjørn Lunde"],
        "must_keep": [
            "(13)", "17 år", "Snapchat", "ber om bilder",
            "«Han sier han blir lei seg hvis jeg ikke svarer.»", "6. februar",
        ],
    },
    {
        "text": (
            "Ved 18-månederskontrollen 12. november var Olivia Nguyen under 3-persentilen for "
            "vekt. Mor, Linh Nguyen, forteller at Olivia «ikke vil spise» og at hun selv spiser "
            "lite. Far, Minh Tran, jobber offshore og er borte tre uker av gangen. "
            "Helsesykepleier Berit Holm anbefaler oppfølging. Olivias fødselsnummer er 12901950073."
        ),
        "people": [("Olivia Nguyen", "barnet"), ("Linh Nguyen", "mor"), ("Minh Tran", "far")],
        "must_remove": [
            "Olivia Nguyen", "Linh Nguyen", "Olivia", "Minh Tran", "Berit Holm", "Olivias",
            "12901950073",
        ],
        "must_keep": [
            "18-månederskontrollen", "12. november", "3-persentilen", "«ikke vil spise»",
            "jobber offshore", "tre uker av gangen", "anbefaler oppfølging",
        ],
    },
    {
        "text": (
            "Saksnummer 24/1187. Referanse 12345678901 i Visma gjelder skyssen, ikke eleven. "
            "William Berg i 6A har møtt opp uten sko to ganger i januar. Far, Espen Berg, sier at "
            "familien har mistet leiligheten og bor i bil. William sa: «Vi sover i bilen ved "
            "Rema.» Far kan nås på 481 22 334."
        ),
        "people": [("William Berg", "barnet"), ("Espen Berg", "far")],
        "must_remove": ["William Berg", "Espen Berg", "William", "481 22 334"],
        "must_keep": [
            "Saksnummer 24/1187", "12345678901", "Visma", "6A", "uten sko to ganger i januar",
            "bor i bil", "«Vi sover i bilen ved Rema.»",
        ],
    },
    {
        "text": (
            "Isak Amundsen (4) har fortalt at «Rolf kaster ting når han er sint». Rolf Jakobsen "
            "er mors nye kjæreste og bor sammen med familien i Kong Oscars gate 15, 5017 Bergen. "
            "Isak's mor, Marte Amundsen, virket redd da hun hentet 13. mars. Isak har blitt "
            "stille og leker ikke med de andre."
        ),
        "people": [("Isak Amundsen", "barnet"), ("Marte Amundsen", "mor")],
        "must_remove": [
            "Isak Amundsen", "Rolf", "Rolf Jakobsen", "Kong Oscars gate 15, 5017 Bergen",
            "Isak's", "Marte Amundsen", "Isak",
        ],
        "must_keep": [
            "(4)", "kaster ting når han er sint", "mors nye kjæreste", "virket redd", "13. mars",
            "leker ikke med de andre",
        ],
    },
    {
        "text": (
            "Ingrid Sæther i 9. klasse tar hovedansvaret hjemme for tre yngre søsken. Mor, "
            "Kjersti Sæther, har alvorlig MS og far er død. Ingrid sier hun er «sliten hele "
            "tiden». Karoline, bestevenninnen, sier at Ingrid gråter i timene. Fraværet er "
            "økende: 8 dager i september, 11 dager i oktober."
        ),
        "people": [("Ingrid Sæther", "barnet"), ("Kjersti Sæther", "mor")],
        "must_remove": ["Ingrid Sæther", "Kjersti Sæther", "Ingrid", "Karoline"],
        "must_keep": [
            "9. klasse", "tre yngre søsken", "alvorlig MS", "far er død", "«sliten hele tiden»",
            "bestevenninnen", "8 dager i september, 11 dager i oktober",
        ],
    },
    {
        "text": (
            "Navn: Ahmad Rahimi. Fødselsdato: 14. juni 2015. Foresatt: Zahra Rahimi, telefon "
            "93 45 67 89. Ahmad har mareritt hver natt og er redd for høye lyder etter flukten. "
            "Mor forteller at han har slått lillebroren flere ganger den siste måneden. Skolens "
            "helsesykepleier har meldt behov for BUP-vurdering 30. april."
        ),
        "people": [("Ahmad Rahimi", "barnet"), ("Zahra Rahimi", "foresatt")],
        "must_remove": ["Ahmad Rahimi", "14. juni 2015", "Zahra Rahimi", "93 45 67 89", "Ahmad"],
        "must_keep": [
            "mareritt hver natt", "redd for høye lyder etter flukten", "den siste måneden",
            "BUP-vurdering 30. april",
        ],
    },
    {
        "text": (
            "astrid bakke (3) har hatt lus i tre måneder uten at det blir behandlet. far, morten "
            "bakke, sier at han «ikke har råd til lusesjampo». astrid har samme klær hele uka. "
            "Barnehagen har tilbudt hjelp 2. og 16. oktober."
        ),
        "people": [("Astrid Bakke", "barnet"), ("Morten Bakke", "far")],
        "must_remove": ["astrid bakke", "morten bakke", "astrid"],
        "must_keep": [
            "(3)", "lus i tre måneder", "«ikke har råd til lusesjampo»", "samme klær hele uka",
            "2. og 16. oktober",
        ],
    },
    {
        "text": (
            "Etter samlivsbruddet i fjor har foreldrene til Sander Holm hatt en svært konfliktfylt "
            "deling. Sander sier: «Mamma sier at pappa er farlig, og pappa sier at mamma lyver.» "
            "Han har ved to anledninger blitt hentet av begge samtidig, senest 18. september, og "
            "foreldrene kranglet høylytt i skolegården. Foresatte: Lene Holm "
            "(lene.holm@icloud.com) og Kim Andre Solberg."
        ),
        "people": [("Sander Holm", "barnet"), ("Lene Holm", "foresatt"), ("Kim Andre Solberg", "foresatt")],
        "must_remove": ["Sander Holm", "Sander", "Lene Holm", "lene.holm@icloud.com", "Kim Andre Solberg"],
        "must_keep": [
            "samlivsbruddet i fjor", "«Mamma sier at pappa er farlig, og pappa sier at mamma lyver.»",
            "18. september", "kranglet høylytt i skolegården",
        ],
    },
    {
        "text": (
            "Den 3. november kom Selma Ali (f. 5/4-20) i barnehagen med brannsår på hånden. Hun "
            "sa: «Jeg tok på ovnen, mamma var ikke der.» Mor, Hawa Ali, sier at hun bare var på "
            "badet. Selma har tidligere hatt et lignende sår i august. Familien bor på Tunet 4."
        ),
        "people": [("Selma Ali", "barnet"), ("Hawa Ali", "mor")],
        "must_remove": ["Selma Ali", "5/4-20", "Hawa Ali", "Selma", "Tunet 4"],
        "must_keep": [
            "Den 3. november", "brannsår på hånden", "«Jeg tok på ovnen, mamma var ikke der.»",
            "var på badet", "i august",
        ],
    },
    {
        "text": (
            "Politiet ringte skolen 7. januar etter en utrykning hjemme hos Elias Rønning natt til "
            "søndag. Elias var våken da far, Tommy Rønning, ble pågrepet. Mor, Liv Rønning, ba "
            "skolen om å «følge litt ekstra med». Elias har lillesøsteren Frida i barnehagen. Han "
            "sier at han ikke er redd, men han har ikke sagt et ord i timene siden. Livet har vært "
            "uforutsigbart for ham lenge."
        ),
        "people": [("Elias Rønning", "barnet"), ("Tommy Rønning", "far"), ("Liv Rønning", "mor")],
        "must_remove": ["Elias Rønning", "Elias", "Tommy Rønning", "Liv Rønning", "Frida"],
        "must_keep": [
            "Politiet ringte skolen 7. januar", "utrykning", "natt til søndag", "ble pågrepet",
            "«følge litt ekstra med»", "Livet har vært uforutsigbart",
        ],
    },
    {
        "text": (
            "Skolehelsetjenesten har hatt tre samtaler med Julie Martinsen (16) i vår. Julie "
            "forteller at stefaren, Frank Olsen, kontrollerer telefonen hennes og ikke lar henne "
            "gå ut etter kl. 18. Hun sier: «Jeg får ikke lov til å ha venner.» Mor, Hege "
            "Martinsen, er informert og mener Julie overdriver. Julie bor i Skolegata 3 A, "
            "2815 Gjøvik."
        ),
        "people": [("Julie Martinsen", "barnet"), ("Hege Martinsen", "mor")],
        "must_remove": [
            "Julie Martinsen", "Julie", "Frank Olsen", "Hege Martinsen",
            "Skolegata 3 A, 2815 Gjøvik",
        ],
        "must_keep": [
            "tre samtaler", "i vår", "kontrollerer telefonen hennes", "etter kl. 18",
            "«Jeg får ikke lov til å ha venner.»", "er informert og mener", "overdriver",
        ],
    },
    {
        "text": (
            "Vår bekymring gjelder Hedda Strøm (4). Mor, Silje Strøm, har de siste månedene kommet "
            "for sent nesten hver dag og har flere ganger luktet alkohol, senest mandag 10. mars "
            "kl. 08.45. Hedda sier at «mamma drikker rød brus som lukter rart». Sol og varme "
            "hjelper ikke når Hedda står ute i tynne klær. Far er ukjent."
        ),
        "people": [("Hedda Strøm", "barnet"), ("Silje Strøm", "mor")],
        "must_remove": ["Hedda Strøm", "Silje Strøm", "Hedda"],
        "must_keep": [
            "Vår bekymring", "(4)", "kommet for sent", "mandag 10. mars kl. 08.45",
            "«mamma drikker rød brus som lukter rart»", "Sol og varme", "Far er ukjent",
        ],
    },
    {
        "text": (
            "Bekymringen gjelder Adrian Jensen, født 08.11.2017, elev ved Åsen skole. Adrian har "
            "kommet på skolen med sår i ansiktet to ganger i november. Far, Kenneth Jensen (tlf. "
            "+4799887766), forklarer det med at Adrian «sloss med naboguttene». Naboen Hilde "
            "Berntsen har ringt skolen og sagt at hun hører skrik fra leiligheten."
        ),
        "people": [("Adrian Jensen", "barnet"), ("Kenneth Jensen", "far")],
        "must_remove": [
            "Adrian Jensen", "08.11.2017", "Adrian", "Kenneth Jensen", "+4799887766",
            "Hilde Berntsen",
        ],
        "must_keep": [
            "Åsen skole", "sår i ansiktet", "to ganger i november", "«sloss med naboguttene»",
            "hører skrik fra leiligheten",
        ],
    },
    {
        "text": (
            "Tiril Moe (2 år) har blåmerker på ryggen som barnehagen oppdaget ved bleieskift "
            "27. mai. Far, Karl Johan Moe, sier at hun falt ned trappa. Tiril reagerer med å "
            "stivne når voksne løfter henne. Mor, Anne-Lise Moe, var ikke til stede ved "
            "hentingen. Karl Johans telefon er 22 33 44 55."
        ),
        "people": [("Tiril Moe", "barnet"), ("Karl Johan Moe", "far"), ("Anne-Lise Moe", "mor")],
        "must_remove": [
            "Tiril Moe", "Tiril", "Karl Johan Moe", "Anne-Lise Moe", "Karl Johans", "22 33 44 55",
        ],
        "must_keep": [
            "2 år", "blåmerker på ryggen", "bleieskift 27. mai", "falt ned trappa",
            "stivne når voksne løfter henne", "ikke til stede ved hentingen",
        ],
    },
    {
        "text": (
            "Magnus Kristiansen i 8C har ikke vært på skolen på tre uker. Mor, Ragnhild "
            "Kristiansen, sier at hun ikke klarer å få ham ut av rommet. Magnus spiller online "
            "hele natten. Anita Berge, som er kontaktlærer, har vært på hjemmebesøk to ganger. "
            "Storm og regn gjorde at det andre besøket 4. desember ble kort. Magnus sa gjennom "
            "døra: «Skolen er meningsløs.»"
        ),
        "people": [("Magnus Kristiansen", "barnet"), ("Ragnhild Kristiansen", "mor")],
        "must_remove": ["Magnus Kristiansen", "Ragnhild Kristiansen", "Magnus", "Anita Berge"],
        "must_keep": [
            "8C", "tre uker", "ut av rommet", "spiller online hele natten", "som er kontaktlærer",
            "Storm og regn", "4. desember", "«Skolen er meningsløs.»",
        ],
    },
    {
        "text": (
            "Mor, Camilla Eriksen, oppsøkte helsestasjonen 15. januar med Oliver (6 mnd). Hun er "
            "nylig flyttet til 9008 Tromsø for å komme bort fra far, Rasmus Eriksen. Han har sendt "
            "truende meldinger, og mor sier: «Han har sagt at han skal ta Oliver fra meg.» Mor har "
            "kontakt med krisesenteret. Ny adresse er hemmelig."
        ),
        "people": [("Oliver Eriksen", "barnet"), ("Camilla Eriksen", "mor"), ("Rasmus Eriksen", "far")],
        "must_remove": ["Camilla Eriksen", "Oliver", "9008 Tromsø", "Rasmus Eriksen"],
        "must_keep": [
            "15. januar", "6 mnd", "nylig flyttet", "truende meldinger", "kontakt med krisesenteret",
            "Ny adresse er hemmelig",
        ],
    },
    # The six entries below were written after the redactor, as a held-out check,
    # and are kept as written. Run before any change, they lost 5 of 39 items: a
    # phone grouped 4+4 after "mobil" and "dr. Patel" (both fixed since), and
    # "Tesfay", "Senait" and "Yonas", names the gazetteer does not know with no
    # relation word before them (still missed).
    {
        "text": (
            "Bekymringsmelding fra Haugtun barnehage. Barn: Åsmund Ødegård, fødselsdato 4.9.21. "
            "Foresatt: Gunhild Ødegård, mobil 9087 6543, Øvre Storgate 2, 2000 Lillestrøm. "
            "Åsmund har siden august vært mye lei seg. Han leker mest med Tesfay og Senait. "
            "Yonas, som er eldste bror, henter ofte. Åsmunds mor sier at far «ikke er en del av "
            "livet deres»."
        ),
        "people": [("Åsmund Ødegård", "barnet"), ("Gunhild Ødegård", "mor")],
        "must_remove": [
            "Åsmund Ødegård", "4.9.21", "Gunhild Ødegård", "9087 6543",
            "Øvre Storgate 2, 2000 Lillestrøm", "Åsmund", "Tesfay", "Senait", "Yonas", "Åsmunds",
        ],
        "must_keep": [
            "Haugtun barnehage", "siden august", "mye lei seg", "eldste bror, henter ofte",
            "«ikke er en del av livet deres»",
        ],
    },
    {
        "text": (
            "Samtale med Leah Kristoffersen 12.12. Leah forteller at mammas nye venn, Kjetil, "
            "«drikker øl og blir slem». Hun vil ikke hjem. Mor (Hanna Kristoffersen, tlf: "
            "908 76 543, HANNA.K@GMAIL.COM) sier at Kjetil ikke bor der. Leah bor i Skolevegen 3b. "
            "Fnr 250812 50041."
        ),
        "people": [("Leah Kristoffersen", "barnet"), ("Hanna Kristoffersen", "mor")],
        "must_remove": [
            "Leah Kristoffersen", "Leah", "Kjetil", "Hanna Kristoffersen", "908 76 543",
            "HANNA.K@GMAIL.COM", "Skolevegen 3b", "250812 50041",
        ],
        "must_keep": ["12.12.", "«drikker øl og blir slem»", "Hun vil ikke hjem", "ikke bor der"],
    },
    {
        "text": (
            "Sondre har kommet for sent hver dag i uke 41. Sondre Moe-Larsen sier at pappa «sover "
            "så lenge». Far, Tor-Arne Moe-Larsen, svarer ikke på Vigilo. Bestemor Randi ringte "
            "rektor og sa at hun er bekymret. Skolen har meldt til barnevernet 18.10.2024. "
            "Postboks 45, 8001 Bodø er fars postadresse."
        ),
        "people": [("Sondre Moe-Larsen", "barnet"), ("Tor-Arne Moe-Larsen", "far")],
        "must_remove": [
            "Sondre", "Sondre Moe-Larsen", "Tor-Arne Moe-Larsen", "Randi", "Postboks 45, 8001 Bodø",
        ],
        "must_keep": [
            "uke 41", "«sover så lenge»", "Vigilo", "Bestemor", "meldt til barnevernet 18.10.2024",
            "fars postadresse",
        ],
    },
    {
        "text": (
            "Liv er bare 3 år, men tar vare på lillebroren. Mor, Sunniva Brekke, sover ofte når "
            "Liv blir hentet. Liv Brekke har dårlig tannhelse. Tannlegen, dr. Patel, har ringt "
            "to ganger. Liv sa: «Mamma er trøtt fordi hun tar medisin.»"
        ),
        "people": [("Liv Brekke", "barnet"), ("Sunniva Brekke", "mor")],
        "must_remove": ["Liv", "Sunniva Brekke", "Liv Brekke", "Patel"],
        "must_keep": [
            "bare 3 år", "tar vare på lillebroren", "dårlig tannhelse", "Tannlegen",
            "ringt to ganger", "«Mamma er trøtt fordi hun tar medisin.»",
        ],
    },
    {
        "text": (
            "Eleven (Mohammed Al-Hassan, 8B) har vist bilder av våpen på telefonen. Mohammed sier "
            "at storebroren Karim «kjenner folk». Foreldrene, Rania Al-Hassan og Omar Al-Hassan, "
            "ønsker tolk på arabisk. Møte avtalt fredag 8. november kl. 10.00 på rom 214."
        ),
        "people": [
            ("Mohammed Al-Hassan", "barnet"), ("Rania Al-Hassan", "mor"), ("Omar Al-Hassan", "far"),
        ],
        "must_remove": ["Mohammed Al-Hassan", "Mohammed", "Karim", "Rania Al-Hassan", "Omar Al-Hassan"],
        "must_keep": [
            "8B", "bilder av våpen på telefonen", "«kjenner folk»", "tolk på arabisk",
            "fredag 8. november kl. 10.00 på rom 214",
        ],
    },
    {
        "text": (
            "Victoria kom i dag i pysjbukse. Hun er født 17.06.2018 og bor med far, Erik Nygård, "
            "i Bjørkeveien 9. Victoria sier at hun ikke har sett mamma siden jul. Naboen, fru "
            "Olsen, har sett Victoria alene ute sent på kvelden. Erik Nygårds e-post er "
            "erik.nygard@outlook.com."
        ),
        "people": [("Victoria Nygård", "barnet"), ("Erik Nygård", "far")],
        "must_remove": [
            "Victoria", "17.06.2018", "Erik Nygård", "Bjørkeveien 9", "Olsen", "Erik Nygårds",
            "erik.nygard@outlook.com",
        ],
        "must_keep": [
            "i pysjbukse", "ikke har sett mamma siden jul", "alene ute sent på kvelden", "Naboen, fru",
        ],
    },
]
