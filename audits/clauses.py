"""The ISO 9001:2015 clauses an operational audit typically covers, with their English and
Dutch (NEN-EN-ISO 9001:2015) titles. Audits store clause codes; titles come from here."""

from django.utils.translation import get_language

# code → (English title, Dutch title)
CLAUSES: dict[str, tuple[str, str]] = {
    "4.1": (
        "Understanding the organization and its context",
        "Inzicht in de organisatie en haar context",
    ),
    "4.2": (
        "Understanding the needs and expectations of interested parties",
        "Inzicht in de behoeften en verwachtingen van belanghebbenden",
    ),
    "5.1": ("Leadership and commitment", "Leiderschap en betrokkenheid"),
    "5.3": (
        "Organizational roles, responsibilities and authorities",
        "Rollen, verantwoordelijkheden en bevoegdheden binnen de organisatie",
    ),
    "6.1": (
        "Actions to address risks and opportunities",
        "Maatregelen om risico's en kansen aan te pakken",
    ),
    "7.1.6": ("Organizational knowledge", "Kennis van de organisatie"),
    "7.2": ("Competence", "Competentie"),
    "7.3": ("Awareness", "Bewustzijn"),
    "7.4": ("Communication", "Communicatie"),
    "7.5": ("Documented information", "Gedocumenteerde informatie"),
    "8.1": ("Operational planning and control", "Operationele planning en beheersing"),
    "8.2": ("Requirements for products and services", "Eisen voor producten en diensten"),
    "8.4": (
        "Control of externally provided processes, products and services",
        "Beheersing van extern geleverde processen, producten en diensten",
    ),
    "8.5": ("Production and service provision", "Productie en dienstverlening"),
    "8.7": ("Control of nonconforming outputs", "Beheersing van afwijkende outputs"),
    "9.1": (
        "Monitoring, measurement, analysis and evaluation",
        "Monitoren, meten, analyseren en evalueren",
    ),
    "9.1.2": ("Customer satisfaction", "Klanttevredenheid"),
    "9.2": ("Internal audit", "Interne audit"),
    "9.3": ("Management review", "Directiebeoordeling"),
    "10.2": ("Nonconformity and corrective action", "Afwijking en corrigerende maatregel"),
    "10.3": ("Continual improvement", "Continue verbetering"),
}


CLAUSE_CODES = list(CLAUSES)


def clause_title(code: str, language: str | None = None) -> str:
    """The clause's title in `language` (default: the active language), or "" if unknown."""
    titles = CLAUSES.get(code)
    if titles is None:
        return ""
    language = (language or get_language() or "nl")[:2]
    return titles[1] if language == "nl" else titles[0]


def clause_label(code: str, language: str | None = None) -> str:
    """ "8.5 Production and service provision"."""
    return f"{code} {clause_title(code, language)}".strip()


def clause_choices(language: str | None = None) -> list[tuple[str, str]]:
    return [(code, clause_label(code, language)) for code in CLAUSES]
