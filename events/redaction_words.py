"""The word lists of the redactor (events/redaction.py) and the anonymiser
(events/anonymisation.py, events/places.py): Norwegian words that look like
names but are not, and the words around names. All casefolded."""

from __future__ import annotations

# Words that start many sentences, or stand for people without naming them.
# They are never names, never extend a name and never follow a relation word
# as a name. All casefolded.
FUNCTION_WORDS = frozenset(
    """
    jeg du han hun vi dere de den det dette disse denne man en ei et ingen noen
    meg deg ham henne oss dem seg
    min mi mitt mine din di ditt dine hans hennes deres vår vårt våre sin si sitt sine
    da når hvis om etter før i på til fra med mot under over hos ved av for uten
    men og eller så som at noe ingenting alle mange flere hver hvert ikke
    kl ca jf dvs bl ifølge ellers likevel også nå her der hvor hva hvem hvorfor
    hvordan ja nei ok hei takk mvh hilsen vennlig
    mamma pappa mor far mora faren moren barnet barn gutten jenta eleven elevene
    foreldrene foreldre foresatte foresatt familien søsken søskenet
    mandag tirsdag onsdag torsdag fredag lørdag søndag helgen
    januar februar mars april mai juni juli august september oktober november desember
    barnevernet barnevernstjenesten nav bup ppt sfo aks politiet legevakten
    helsestasjonen skolen barnehagen kommunen statsforvalteren krisesenteret
    norge gud jesus allah jul julen påske påsken ramadan eid
    nord sør øst vest
    """.split()
)

# Capitalised proper nouns that are not people, even mid-sentence.
NEVER_NAMES = frozenset(
    """
    januar februar mars april mai juni juli september oktober november desember
    mandag tirsdag onsdag torsdag fredag lørdag søndag
    nord sør øst vest gud jesus allah jul påske ramadan eid junior viking
    """.split()
)

# Months: "August" is a name, but not in "3. August" or "i August".
MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
    "september", "oktober", "november", "desember",
)
MONTH_ABBREVIATIONS = ("jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "okt", "nov", "des")

# First names that are also common Norwegian words ("Per dag", "Hans mor",
# "Liv og helse", "Tom for mat"): at the start of a sentence they count as a
# name only next to another name, or before a verb that people do ("Per sa").
AMBIGUOUS_FIRST_NAMES = frozenset(
    """
    per hans dag liv bo gro siv tor sol mai maj may vår storm eli elin kjell
    ben bror finn fred stein stig tim tom tone tore line lo man mad mark max
    rosa rose saga sanne sine urban vide ville love lova frank iris august juni
    nova luna ritt rut lut raid kai ane tina helga karl knut lene lise mette
    lage lykke del li helle bent lill lott tine
    """.split()
)

# Verbs after a sentence-initial ambiguous first name: "Per sa", "Liv er".
PERSON_VERBS = frozenset(
    """
    sa sier slo slår kom kommer var er har hadde ble blir gikk går ga gir tok tar
    fikk får skal skulle vil kan kunne må måtte forteller fortalte ringte ringer
    dyttet dytter kastet kaster lo ler gråt gråter sparket sparker kjeftet kjefter
    truet truer sov sover drakk drikker ropte roper skrek skriker hentet henter
    bor bodde jobber jobbet sitter satt står sto virket virker luktet lukter
    mobbet mobber sendte sender løp løper gjemte gjemmer kjørte kjører spurte spør
    svarte svarer nektet nekter slet sliter lekte leker hadde mistet
    """.split()
)

# Relation and title words: the capitalised word after them is a person,
# whether or not the gazetteer knows the name ("naboen Per", "Tante Senait").
RELATION_WORDS = frozenset(
    """
    nabo naboen nabokona nabogutten nabojenta
    tante tanta tanten onkel onkelen
    bestemor bestefar mormor morfar farmor farfar oldemor oldefar
    søster søsteren søstera bror broren storesøster storesøsteren lillesøster
    lillesøsteren storebror storebroren lillebror lillebroren halvbror halvbroren
    halvsøster halvsøsteren stebror stebroren stesøster stesøsteren
    fetter fetteren kusine kusinen venn vennen venner venninne venninnen venninna
    kamerat kameraten bestevenn bestevennen bestevenninne bestevenninnen
    klassekamerat klassekameraten medelev
    kjæreste kjæresten samboer samboeren stefar stefaren stemor stemoren
    ektemann ektemannen kone kona mann mannen
    lærer læreren kontaktlærer kontaktlæreren faglærer faglæreren assistent
    assistenten fagarbeider fagarbeideren barnehagelærer barnehagelæreren
    pedagog pedagogen leder lederen styrer styreren rektor rektoren inspektør
    inspektøren helsesykepleier helsesykepleieren helsesøster helsesøsteren
    lege legen fastlege fastlegen psykolog psykologen saksbehandler
    saksbehandleren miljøterapeut miljøterapeuten trener treneren
    barnevernskonsulent barnevernskonsulenten sosionom sosionomen
    avlaster avlasteren støttekontakt støttekontakten tolk tolken
    fru herr frk dr hr
    tannlege tannlegen jordmor jordmoren sykepleier sykepleieren politibetjent
    fosterfar fosterfaren fostermor fostermoren besteforelder
    sønn sønnen datter datteren babyen lillebarnet
    heter het kalt kalles kaller navnet
    """.split()
)
# Relation words that may stand before the child's own name ("sønnen Ola").
CHILD_WORDS = frozenset(
    (None, "sønn", "sønnen", "datter", "datteren", "babyen", "lillebarnet", "heter", "het", "kalt",
     "kalles", "kaller", "navnet")
)
TITLE_ABBREVIATIONS = frozenset(("dr", "frk", "hr"))  # "dr. Patel"
POSSESSIVES = frozenset("hans hennes deres min mi mitt sin si sitt vår".split())

# A name followed by one of these is the name of a place: "Lunde skole".
INSTITUTION_WORDS = frozenset(
    """
    skole skolen barneskole barneskolen ungdomsskole ungdomsskolen oppvekstsenter
    videregående vgs barnehage barnehagen sfo aks helsestasjon helsestasjonen
    legekontor legekontoret legesenter legesenteret sykehus sykehuset
    kirke kirken menighet menigheten moské moskeen senter senteret
    idrettslag il fk bk stadion fritidsklubb klubb korps skolekorps kulturskole
    bibliotek biblioteket gård gården borettslag sameie familiesenter
    asylmottak mottak omsorgssenter bydel bydelen kommune kommunen
    """.split()
)

# "ca. Per" is no sentence start; "kl. 12" neither.
ABBREVIATIONS = frozenset("ca kl jf dvs bl f eks evt mht ifm hhv tlf pga iht nr st dr fr mr mrs".split())


# The anonymiser's ------------------------------------------------------------------

# An institution word after a name, and what the name becomes.
INSTITUTIONS = {
    "[skole]": "skole skolen barneskole barneskolen ungdomsskole ungdomsskolen oppvekstsenter "
               "oppvekstsenteret videregående vgs sfo aks kulturskole kulturskolen",
    "[barnehage]": "barnehage barnehagen familiebarnehage familiebarnehagen",
    "[helsestasjon]": "helsestasjon helsestasjonen",
    "[helsetjeneste]": "legekontor legekontoret legesenter legesenteret helsesenter helsesenteret sykehus "
                       "sykehuset tannklinikk tannklinikken legevakt legevakten",
    "[gård]": "gård gården gard garden gårdsbruk",
    "[institusjon]": "kirke kirken menighet menigheten moské moskeen idrettslag il fk bk stadion klubb "
                     "fritidsklubb korps skolekorps bibliotek biblioteket senter senteret asylmottak mottak "
                     "omsorgssenter familiesenter barnehjem",
}

# Words that start a sentence before an institution word without naming it: "Både skole og …".
DETERMINERS = frozenset(
    """
    både verken hverken enten bare kun hele halve hver hvert begge også særlig spesielt dessuten ellers
    selv samme annen annet andre ny nytt nye gamle egen eget egne vanlig vanlige nesten allerede heller
    hjemme ute inne borte
    """.split()
)

# Endings of Norwegian place names (and of compounds with an institution), for
# words the gazetteer does not know: "Kvernmoen", "Lundeskolen".
PLACE_ENDINGS = (
    "vik", "viken", "dal", "dalen", "nes", "neset", "fjord", "fjorden", "berg", "havn", "hamn", "sund", "sundet",
    "øy", "øya", "stad", "heim", "eid", "foss", "mark", "rud", "set", "seter", "strand", "vang", "voll", "ås",
    "åsen", "bø", "moen", "lia", "haugen", "bakken", "skogen", "skolen", "hallen", "tunet", "byen", "gården",
)

# Capitalised mid-sentence, yet no name nor place: languages and the like.
ORDINARY = frozenset(
    """
    norsk nynorsk bokmål samisk engelsk arabisk somali somalisk polsk litauisk tigrinja ukrainsk russisk
    dari urdu persisk tyrkisk kurdisk spansk tysk svensk dansk fransk
    teams vigilo visma google facebook snapchat tiktok instagram youtube messenger iphone
    """.split()
)
