"""The built-in question bank and the ready survey templates.

Questions are statements on the SERVQUAL dimensions answered on a five-point agreement scale,
plus a 0–10 score, an optional "time lost" item and an open question. Each has Dutch and
English wording and, where it fits, a mirrored wording for the business and the IT
organisation ("how do you think end users experience …"). The bank is copied into an
organisation's own `Question` rows, where it can be extended with service-specific questions.
"""

from dataclasses import dataclass

from governance.platform.dimensions import Dimension
from kto.models import ItemRole, QuestionKind, SurveyKind

D = Dimension
K = QuestionKind


@dataclass(frozen=True)
class BankQuestion:
    code: str
    dimension: str
    kind: str
    text_nl: str
    text_en: str
    proxy_text_nl: str = ""
    proxy_text_en: str = ""


PERCEPTION_QUESTIONS = [
    BankQuestion(
        "rel-first-time",
        D.RELIABILITY,
        K.LIKERT,
        "Storingen en verzoeken worden in één keer goed opgelost.",
        "Incidents and requests are resolved correctly the first time.",
        "Eindgebruikers ervaren dat storingen en verzoeken in één keer goed worden opgelost.",
        "End users experience that incidents and requests are resolved correctly the first time.",
    ),
    BankQuestion(
        "rel-promises",
        D.RELIABILITY,
        K.LIKERT,
        "De dienstverlener doet wat hij toezegt, op het afgesproken moment.",
        "The service provider does what it promises, when it promises.",
        "Eindgebruikers ervaren dat de dienstverlener doet wat hij toezegt.",
        "End users experience that the service provider does what it promises.",
    ),
    BankQuestion(
        "resp-speed",
        D.RESPONSIVENESS,
        K.LIKERT,
        "Mijn melding wordt snel opgepakt.",
        "My call is picked up quickly.",
        "Eindgebruikers ervaren dat hun meldingen snel worden opgepakt.",
        "End users experience that their calls are picked up quickly.",
    ),
    BankQuestion(
        "resp-informed",
        D.RESPONSIVENESS,
        K.LIKERT,
        "Ik word op de hoogte gehouden van de voortgang van mijn melding.",
        "I am kept informed about the progress of my call.",
        "Eindgebruikers worden op de hoogte gehouden van de voortgang van hun melding.",
        "End users are kept informed about the progress of their calls.",
    ),
    BankQuestion(
        "ass-knowledge",
        D.ASSURANCE,
        K.LIKERT,
        "De medewerkers van de servicedesk hebben voldoende kennis om mij te helpen.",
        "Service desk staff know enough to help me.",
        "Eindgebruikers vinden dat de servicedesk voldoende kennis heeft om hen te helpen.",
        "End users find that the service desk knows enough to help them.",
    ),
    BankQuestion(
        "ass-trust",
        D.ASSURANCE,
        K.LIKERT,
        "Ik heb vertrouwen in de manier waarop met mijn gegevens en systemen wordt omgegaan.",
        "I trust the way my data and systems are handled.",
        "Eindgebruikers hebben vertrouwen in de omgang met hun gegevens en systemen.",
        "End users trust the way their data and systems are handled.",
    ),
    BankQuestion(
        "emp-reachable",
        D.EMPATHY,
        K.LIKERT,
        "De servicedesk is bereikbaar op de momenten dat ik hem nodig heb.",
        "The service desk can be reached when I need it.",
        "Eindgebruikers kunnen de servicedesk bereiken wanneer zij hem nodig hebben.",
        "End users can reach the service desk when they need it.",
    ),
    BankQuestion(
        "emp-understanding",
        D.EMPATHY,
        K.LIKERT,
        "De dienstverlener begrijpt wat mijn werk van de ICT vraagt.",
        "The service provider understands what my work needs from IT.",
        "Eindgebruikers ervaren dat de dienstverlener begrijpt wat hun werk van de ICT vraagt.",
        "End users experience that the provider understands what their work needs from IT.",
    ),
    BankQuestion(
        "tan-workplace",
        D.TANGIBLES,
        K.LIKERT,
        "Mijn werkplek en apparatuur zijn in orde en werken naar behoren.",
        "My workstation and equipment are in good order and work properly.",
        "Eindgebruikers ervaren dat hun werkplek en apparatuur naar behoren werken.",
        "End users experience that their workstation and equipment work properly.",
    ),
    BankQuestion(
        "tan-self-service",
        D.TANGIBLES,
        K.LIKERT,
        "Het selfserviceportaal en de informatie daarop zijn duidelijk.",
        "The self-service portal and its information are clear.",
        "Eindgebruikers vinden het selfserviceportaal en de informatie daarop duidelijk.",
        "End users find the self-service portal and its information clear.",
    ),
]

OVERALL_SCORE = BankQuestion(
    "overall-score",
    "",
    K.SCALE,
    "Welk cijfer van 0 tot 10 geeft u de ICT-dienstverlening als geheel?",
    "On a scale of 0 to 10, how would you rate the IT service as a whole?",
    "Welk cijfer van 0 tot 10 denkt u dat eindgebruikers de ICT-dienstverlening geven?",
    "On a scale of 0 to 10, what do you think end users would rate the IT service?",
)
TIME_LOST = BankQuestion(
    "time-lost",
    "",
    K.TIME_LOST,
    "Hoeveel uur bent u de afgelopen maand ongeveer kwijtgeraakt door ICT-problemen?",
    "About how many hours did you lose last month because of IT problems?",
)
OPEN_IMPROVE = BankQuestion(
    "open-improve",
    "",
    K.OPEN,
    "Wat zou de ICT-dienstverlening voor u het meest verbeteren?",
    "What would improve the IT service most for you?",
    "Wat zou de ICT-dienstverlening voor eindgebruikers het meest verbeteren?",
    "What would improve the IT service most for end users?",
)
IMPORTANCE_TEXT = {
    D.RELIABILITY: (
        "Betrouwbaarheid: doen wat is afgesproken",
        "Reliability: doing what was agreed",
    ),
    D.RESPONSIVENESS: ("Snelheid en bereidheid om te helpen", "Speed and willingness to help"),
    D.ASSURANCE: ("Deskundigheid en vertrouwen", "Knowledge and trust"),
    D.EMPATHY: ("Bereikbaarheid en begrip", "Reachability and understanding"),
    D.TANGIBLES: ("Werkplek, apparatuur en informatie", "Workstation, equipment and information"),
}
IMPORTANCE_QUESTIONS = [
    BankQuestion(f"importance-{dimension.value}", dimension, K.POINTS, nl, en)
    for dimension, (nl, en) in IMPORTANCE_TEXT.items()
]
VERDICT_QUESTIONS = [
    BankQuestion(
        "verdict-handled",
        D.RESPONSIVENESS,
        K.LIKERT,
        "Mijn klacht is serieus genomen en goed afgehandeld.",
        "My complaint was taken seriously and handled well.",
    ),
    BankQuestion(
        "verdict-informed",
        D.EMPATHY,
        K.LIKERT,
        "Ik ben tijdens de afhandeling goed op de hoogte gehouden.",
        "I was kept well informed while it was handled.",
    ),
    BankQuestion(
        "verdict-score",
        "",
        K.SCALE,
        "Welk cijfer van 0 tot 10 geeft u de afhandeling van uw klacht?",
        "On a scale of 0 to 10, how would you rate the handling of your complaint?",
    ),
    BankQuestion(
        "verdict-open",
        "",
        K.OPEN,
        "Wat had beter gekund?",
        "What could have been done better?",
    ),
]

BANK = [
    *PERCEPTION_QUESTIONS,
    OVERALL_SCORE,
    TIME_LOST,
    OPEN_IMPROVE,
    *IMPORTANCE_QUESTIONS,
    *VERDICT_QUESTIONS,
]

_ROLE_OF_KIND = {
    K.SCALE: ItemRole.SCORE,
    K.OPEN: ItemRole.OPEN,
    K.TIME_LOST: ItemRole.TIME_LOST,
    K.POINTS: ItemRole.IMPORTANCE,
}
_OPTIONAL_KINDS = {K.OPEN, K.TIME_LOST}


@dataclass(frozen=True)
class TemplateItem:
    code: str
    role: str
    required: bool


def _items(questions, role_for_likert=ItemRole.PERCEPTION) -> list[TemplateItem]:
    return [
        TemplateItem(
            q.code,
            role_for_likert if q.kind == K.LIKERT else _ROLE_OF_KIND[q.kind],
            q.kind not in _OPTIONAL_KINDS,
        )
        for q in questions
    ]


TEMPLATES: dict[str, list[TemplateItem]] = {
    # Perception per dimension, an overall score, time lost and one open question.
    SurveyKind.PERIODIC: _items([*PERCEPTION_QUESTIONS, OVERALL_SCORE, TIME_LOST, OPEN_IMPROVE]),
    # Before negotiations: expectation and perception of every statement, 100 importance
    # points over the dimensions, the overall score and an open question.
    SurveyKind.BASELINE: [
        *_items(PERCEPTION_QUESTIONS, ItemRole.EXPECTATION),
        *_items(PERCEPTION_QUESTIONS),
        *_items(IMPORTANCE_QUESTIONS),
        *_items([OVERALL_SCORE, OPEN_IMPROVE]),
    ],
    SurveyKind.VERDICT: _items(VERDICT_QUESTIONS),
}
