"""Demo activities of Innovationsveckan 2019, from the source documents: national webcasts by
Vinnova and SKL, local activities of every format, and COI's two linked open workshops in
Copenhagen and Aalborg on 3 October, 13-16. Each is in a realistic state of the lifecycle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

COI_CONSENT = (
    "En tilmelding til det åbne værksted er tillige et aktivt samtykke til, at COI behandler almindelige "
    "persondata (bl.a. navn, e-adresse, arbejdssted, stilling, telefonnummer) vedr. dig i COI's arbejde. "
    "Det gælder også optagelse af arbejdsrelaterede billeder fra møder med COI."
)
SKL_PHOTO = (
    "Ibland fotograferar eller filmar vi på våra aktiviteter. Om du inte vill vara med på bilder eller "
    "filmer, kan du meddela detta när du kommer till oss."
)


@dataclass(frozen=True)
class DemoActivity:
    key: str
    host: str
    title: str
    format: str
    mode: str
    day: int  # day of October 2019 (30 = 30 September)
    start: str
    end: str
    summary: str
    languages: tuple[str, ...] = ("sv",)
    audiences: tuple[str, ...] = ("employees", "managers")
    themes: tuple[str, ...] = ("spread",)
    topics: tuple[str, ...] = ()
    venue: dict[str, Any] | None = None
    online_url: str | None = None
    registration: dict[str, Any] = field(default_factory=lambda: {"mode": "none"})
    photo_notice: str | None = None
    state: str = "published"  # draft, in_review, changes_requested, published, rejected, withdrawn, cancelled
    finding: tuple[str, str, str] | None = None  # code, severity, message
    comment: str | None = None
    related: tuple[str, ...] = ()
    description: str = ""
    reuses: tuple[str, ...] = ()  # keys of the earlier week's activities it builds on


def _venue(name: str, address: str, municipality: str, region: str, lat: float, lon: float) -> dict[str, Any]:
    return {"name": name, "address": address, "municipality": municipality, "region": region, "latitude": lat, "longitude": lon}


ACTIVITIES: tuple[DemoActivity, ...] = (
    DemoActivity(
        "opening", "Vinnova", "Invigning av Innovationsveckan: Att sprida och involvera", "webcast", "online", 30, "09:00", "10:00",
        "Vinnova och SKL öppnar veckan: varför offentlig sektor behöver sprida smarta lösningar och involvera fler.",
        audiences=("politicians", "employees", "managers", "citizens"), themes=("spread", "involve"),
        online_url="https://www.vinnova.se/innovationsveckan/invigning", photo_notice=SKL_PHOTO,
        description="<p>Veckan är en nationell kraftsamling för att visa upp det driv och engagemang som finns inom offentlig sektor.</p>",
    ),
    DemoActivity(
        "skl-spread", "Sveriges Kommuner och Landsting", "Så sprider vi smarta lösningar i offentlig sektor", "webcast", "online", 1, "10:00", "11:00",
        "Kommuner och regioner berättar hur en lösning går från ett ställe till många.",
        online_url="https://skr.se/innovationsveckan/sprida", topics=("spridning",),
    ),
    DemoActivity(
        "coi-copenhagen", "Center for Offentlig Innovation", "Københavnerværkstedet: Politikerne som drivkraft i offentlig innovation",
        "workshop", "in_person", 3, "13:00", "16:00",
        "Vi tester og videreudvikler to kommuners modeller for politisk lederskab i offentlig innovation.",
        languages=("da",), audiences=("politicians", "employees", "managers"), themes=("involve",),
        topics=("politisk lederskab",), venue=_venue("COI", "Kronprinsessegade 28", "København", "Hovedstaden", 55.6845, 12.5838),
        registration={"mode": "internal", "capacity": 30}, photo_notice=COI_CONSENT, related=("coi-aalborg",),
        description="<p>På tværs af de to værksteder tjekker vi ind digitalt i løbet af eftermiddagen.</p>",
    ),
    DemoActivity(
        "coi-aalborg", "Center for Offentlig Innovation", "Aalborgværkstedet: Politikernes rolle i velfærdsteknologiske satsninger",
        "workshop", "in_person", 3, "13:00", "16:00",
        "Vi tester den traditionelle business case over for idéen om en policy case for velfærdsteknologiske eksperimenter.",
        languages=("da",), audiences=("politicians", "employees", "managers"), themes=("involve",),
        topics=("velfærdsteknologi",), venue=_venue("Aalborg Kommune", "Boulevarden 13", "Aalborg", "Nordjylland", 57.0470, 9.9190),
        registration={"mode": "internal", "capacity": 30}, photo_notice=COI_CONSENT,
    ),
    DemoActivity(
        "linkoping-hemtjanst", "Linköpings kommun", "Studiebesök: Digitala medarbetare i hemtjänsten", "study_visit", "in_person", 1, "13:00", "15:00",
        "Se hur robotiserad processautomation frigör tid för omsorg.", audiences=("employees", "managers", "politicians"),
        venue=_venue("Stadshuset", "Stora Torget 1", "Linköping", "Östergötland", 58.4108, 15.6214),
        registration={"mode": "internal", "capacity": 25},
    ),
    DemoActivity(
        "umea-budget", "Umeå kommun", "Dialogmöte: Medborgarbudget i Umeå", "dialogue_meeting", "in_person", 2, "18:00", "20:00",
        "Invånare och politiker samtalar om hur en del av budgeten kan fördelas tillsammans.", audiences=("citizens", "politicians"),
        themes=("involve",), venue=_venue("Väven", "Storgatan 46A", "Umeå", "Västerbotten", 63.8247, 20.2630),
    ),
    DemoActivity(
        "malmo-forskola", "Malmö stad", "Utställning: Innovationer från Malmös förskolor", "exhibition", "in_person", 30, "10:00", "16:00",
        "Pedagoger visar idéer som spridits mellan förskolor i staden.", audiences=("employees", "citizens"),
        venue=_venue("Stadsbiblioteket", "Regementsgatan 3", "Malmö", "Skåne", 55.6012, 12.9916),
    ),
    DemoActivity(
        "goteborg-tjanstedesign", "Göteborgs Stad", "Föreläsning: Tjänstedesign i praktiken", "lecture", "hybrid", 2, "09:00", "11:00",
        "Hur vi involverar invånare när vi gör om våra e-tjänster.", themes=("involve",),
        venue=_venue("Göteborgs Stadshus", "Gustaf Adolfs torg 4A", "Göteborg", "Västra Götaland", 57.7072, 11.9668),
        online_url="https://goteborg.se/innovationsveckan/tjanstedesign",
    ),
    DemoActivity(
        "skane-patient", "Region Skåne", "Workshop: Patientens väg genom vården", "workshop", "hybrid", 1, "09:00", "12:00",
        "Vi kartlägger tillsammans med patienter var vården kan bli enklare.", audiences=("employees", "citizens"), themes=("involve",),
        venue=_venue("Regionhuset", "J A Hedlunds väg", "Kristianstad", "Skåne", 56.0294, 14.1567),
        online_url="https://www.skane.se/innovationsveckan/patientens-vag", registration={"mode": "external", "url": "https://www.skane.se/anmalan"},
    ),
    DemoActivity(
        "vasterbotten-distans", "Region Västerbotten", "Vård på distans i glesbygd", "webcast", "online", 2, "13:00", "14:00",
        "Digitala vårdrum i inlandet: erfarenheter att sprida.", online_url="https://www.regionvasterbotten.se/innovationsveckan/distans",
    ),
    DemoActivity(
        "skatteverket-deklaration", "Skatteverket", "Så gjorde vi deklarationen digital", "lecture", "online", 3, "10:00", "11:00",
        "Tjugo år av förenkling: vad andra myndigheter kan ta med sig.", online_url="https://www.skatteverket.se/innovationsveckan",
    ),
    DemoActivity(
        "liu-forskning", "Linköpings universitet", "Forskning om offentlig innovation", "lecture", "in_person", 1, "15:00", "16:30",
        "Forskare presenterar vad som får nya arbetssätt att spridas.", audiences=("academia", "employees"),
        venue=_venue("Campus Valla", "Universitetsvägen 1", "Linköping", "Östergötland", 58.3978, 15.5760),
    ),
    DemoActivity(
        "coompanion-sociala", "Coompanion Västerbotten", "Sociala företag som samarbetspartner", "dialogue_meeting", "in_person", 3, "09:00", "11:00",
        "Hur kommuner och sociala företag kan skapa lösningar tillsammans.", audiences=("civil_society", "employees"), themes=("involve",),
        venue=_venue("Coompanion", "Kungsgatan 52", "Umeå", "Västerbotten", 63.8258, 20.2630),
    ),
    DemoActivity(
        "norr-valfardsteknik", "Välfärdsteknik Norr AB", "Välfärdsteknik i vardagen", "exhibition", "in_person", 2, "10:00", "15:00",
        "Prova tekniken som hjälper äldre att bo kvar hemma.", audiences=("companies", "employees", "citizens"),
        venue=_venue("Kulturens hus", "Skeppsbrogatan 17", "Luleå", "Norrbotten", 65.5848, 22.1547),
    ),
    DemoActivity(
        "kolding-ligevaegt", "Kolding Kommune", "Ligevægt: Samskabelse om sundhed", "workshop", "in_person", 2, "13:00", "16:00",
        "Hvad har andre gjort for at løse samme problemstilling, som kan inspirere os?", languages=("da",), themes=("spread",),
        venue=_venue("Kolding Rådhus", "Akseltorv 1", "Kolding", "Syddanmark", 55.4904, 9.4722),
    ),
    DemoActivity(
        "syddanmark-overvaegt", "Region Syddanmark", "Det syddanske overvægtsinitiativ", "lecture", "online", 1, "14:00", "15:00",
        "Hvilke løsninger tegner sig, hvis vi flytter fokus fra vægttab til at øge sundhed?", languages=("da",),
        online_url="https://www.regionsyddanmark.dk/innovationsugen",
    ),
    DemoActivity(
        "ruc-policy", "Roskilde Universitet", "Fra service til policy innovation: Lokalpolitikernes rolle i innovationsskabelse", "lecture", "in_person", 4, "10:00", "12:00",
        "Eva Sørensen om samarbejdsdrevet politikinnovation og politisk lederskab.", languages=("da",), audiences=("politicians", "academia"),
        venue=_venue("Roskilde Universitet", "Universitetsvej 1", "Roskilde", "Sjælland", 55.6521, 12.1390),
    ),
    DemoActivity(
        "kk-spredningsguiden", "Københavns Kommune", "Spredningsguiden i praksis", "workshop", "in_person", 1, "09:00", "12:00",
        "Socialforvaltningen deler, hvordan Spredningsguiden hjælper os med at dele gode løsninger på tværs af siloerne.",
        languages=("da",), venue=_venue("Københavns Rådhus", "Rådhuspladsen 1", "København", "Hovedstaden", 55.6759, 12.5694),
    ),
    DemoActivity(
        "linkoping-labb", "Linköpings kommun", "Öppet hus: Innovationslabbet", "other", "in_person", 4, "13:00", "16:00",
        "Kom och prova metoderna vi använder i kommunens innovationslabb.", venue=_venue("Innovationslabbet", "Drottninggatan 45", "Linköping", "Östergötland", 58.4116, 15.6206),
        state="cancelled", comment="Inställt på grund av sjukdom. Vi återkommer med nytt datum.",
    ),
    DemoActivity(
        "umea-hackathon", "Umeå kommun", "Hackathon om kollektivtrafik", "workshop", "in_person", 4, "09:00", "16:00",
        "Utvecklare och resenärer bygger prototyper tillsammans.", venue=_venue("Sliperiet", "Konstnärligt campus", "Umeå", "Västerbotten", 63.8203, 20.3081),
        state="withdrawn",
    ),
    DemoActivity(
        "malmo-tillit", "Malmö stad", "Frukostseminarium: Tillitsbaserad styrning", "lecture", "in_person", 2, "07:30", "09:00",
        "Chefer berättar om att leda med tillit.", state="changes_requested",
        finding=("missing_venue", "block", "In-person activities need a venue: name, address and municipality."),
    ),
    DemoActivity(
        "goteborg-ai", "Göteborgs Stad", "Webbinarium: AI i ärendehandläggning", "webcast", "online", 3, "13:00", "14:00",
        "Vad vi lärt oss av att låta AI sortera inkommande ärenden.", online_url="https://goteborg.se/innovationsveckan/ai-webbinarium",
        state="in_review", finding=("link_unreachable", "warn", "https://goteborg.se/innovationsveckan/ai-webbinarium: could not connect"),
    ),
    DemoActivity(
        "skane-tavling", "Region Skåne", "Innovationstävling för vårdpersonal", "other", "online", 30, "08:00", "16:00",
        "Anmäl din idé och vinn en resa.", online_url="https://www.skane.se/innovationstavling", state="rejected",
        comment="En tävling med resa som pris ryms inte i veckans program; visa gärna upp de vinnande idéerna nästa år.",
    ),
    DemoActivity(
        "skatteverket-klarsprak", "Skatteverket", "Workshop: Klarspråk i myndighetsbrev", "workshop", "online", 2, "13:00", "15:00",
        "Vi skriver om ett brev tillsammans.", state="draft",
    ),
    DemoActivity(
        "closing", "Vinnova", "Avslutning: Vad tar vi med oss?", "webcast", "online", 4, "14:00", "15:00",
        "Reflektioner från veckan och nästa steg för att sprida och involvera.", themes=("spread", "involve"),
        online_url="https://www.vinnova.se/innovationsveckan/avslutning",
    ),
    DemoActivity(
        "skl-innovationsguiden", "Sveriges Kommuner och Landsting", "Innovationsguiden: verktyg för tjänstedesign", "webcast", "online", 2, "10:00", "11:00",
        "Så använder du Innovationsguiden för att involvera dem ni är till för.", themes=("involve",),
        online_url="https://skr.se/innovationsveckan/innovationsguiden",
    ),
    DemoActivity(
        "linkoping-trygghet", "Linköpings kommun", "Dialogmöte med invånare om trygghet", "dialogue_meeting", "in_person", 3, "18:00", "20:00",
        "Invånare, polis och kommun samtalar om trygghet i Skäggetorp.", audiences=("citizens", "politicians"), themes=("involve",),
        venue=_venue("Skäggetorps bibliotek", "Skäggetorps centrum", "Linköping", "Östergötland", 58.4257, 15.5867),
    ),
    DemoActivity(
        "umea-energilabb", "Umeå kommun", "Studiebesök på energilabbet", "study_visit", "in_person", 1, "10:00", "12:00",
        "Hur kommunen testar ny energiteknik tillsammans med företag.", audiences=("companies", "employees"),
        venue=_venue("Energilabbet", "Storgatan 33", "Umeå", "Västerbotten", 63.8258, 20.2630),
    ),
    DemoActivity(
        "vasterbotten-psykisk-halsa", "Region Västerbotten", "Workshop: Samverkan kring psykisk hälsa", "workshop", "in_person", 4, "09:00", "12:00",
        "Region, kommuner och föreningar hittar nya sätt att arbeta tillsammans.", audiences=("employees", "civil_society"), themes=("involve",),
        venue=_venue("Folkets hus", "Skolgatan 59", "Umeå", "Västerbotten", 63.8272, 20.2607), state="in_review",
    ),
    DemoActivity(
        "malmo-stadsplanering", "Malmö stad", "Utställning: Stadsplanering med invånare", "exhibition", "in_person", 1, "10:00", "18:00",
        "Modeller och förslag som invånare tagit fram för Sofielund.", audiences=("citizens",), themes=("involve",),
        venue=_venue("Stadsbyggnadskontoret", "August Palms plats 1", "Malmö", "Skåne", 55.5965, 13.0113),
    ),
    DemoActivity(
        "liu-barometer", "Linköpings universitet", "Seminarium: Att mäta innovation", "lecture", "online", 4, "09:00", "10:00",
        "Vad Innovationsbarometern säger: 73 procent av offentliga innovationer är genbrug av andras lösningar.",
        online_url="https://liu.se/innovationsveckan/barometer", audiences=("academia", "managers"),
    ),
    DemoActivity(
        "goteborg-stjal", "Göteborgs Stad", "Föreläsning: Stjäl med stolthet", "lecture", "in_person", 30, "13:00", "14:30",
        "Om att ta efter andras lösningar, med exempel från Danmark.", venue=_venue("Kulturhuset Blå Stället", "Angereds Torg 13", "Göteborg", "Västra Götaland", 57.7961, 12.0496),
    ),
    DemoActivity(
        "syddanmark-ulighed", "Region Syddanmark", "Workshop: Ulighed i sundhed, nye metoder", "workshop", "hybrid", 3, "09:00", "12:00",
        "Antropologiske metoder og designtænkning i sundhedsvæsenet.", languages=("da",), themes=("involve",),
        venue=_venue("Regionshuset", "Damhaven 12", "Vejle", "Syddanmark", 55.7093, 9.5357), online_url="https://www.regionsyddanmark.dk/ulighed",
    ),
)


# Next year: Umeå builds on Linköping's 2019 study visit, whose report says how to reuse it.
BUILDS_ON_LINKOPING = DemoActivity(
    "umea-digitala-medarbetare", "Umeå kommun", "Digitala medarbetare i Umeås hemtjänst: ett år senare", "webcast", "online", 2, "10:00", "11:00",
    "Vi tog Linköpings digitala medarbetare till Umeå: vad vi ändrade, vad det gav och vad vi gör härnäst.",
    audiences=("employees", "managers", "politicians"), online_url="https://www.umea.se/innovationsveckan/digitala-medarbetare",
    topics=("automatisering", "hemtjänst"), reuses=("linkoping-hemtjanst",),
)
