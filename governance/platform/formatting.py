"""One way to write numbers, money and dates for people, in the active language:

    number(-25.08, 2)     "−25,08" (nl) / "−25.08" (en): grouped, a real minus sign
    money(60840)          "€ 60.840,00" (nl) / "€ 60,840.00" (en)
    day(date(2026, 9, 16))  "16 Sep 2026" (nl, en)

Templates use the same through `{% load regie_format %}`: `|number:2`, `|money`, `|day`.
Machine formats (CSV, ISO values of inputs, JSON for charts) never go through these."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone

MINUS = "\u2212"
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def number(value, decimals: int | None = None, *, sign: bool = False) -> str:
    """`value` with `decimals` places (None: as many as it has, trailing zeros dropped),
    grouped by thousands in the active language; "+" in front of a positive value when
    `sign`. None and "" give "–"."""
    if value is None or value == "":
        return "–"
    try:
        value = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if decimals is None:
        text = format(value.normalize(), "f")
        decimals = len(text.split(".")[1]) if "." in text else 0
    value = round(value, decimals)
    text = formats.number_format(abs(value), decimal_pos=decimals, force_grouping=True)
    if value < 0 and value != 0:
        return MINUS + text
    return ("+" + text) if sign and value > 0 else text


def percent(share, decimals: int = 0) -> str:
    """A share 0…1 as a percentage in the active language ("78 %"); None gives "–"."""
    if share is None:
        return "–"
    return number(100 * Decimal(str(share)), decimals) + " %"


def money(value, currency: str = "EUR", decimals: int = 2) -> str:
    """An amount with its currency symbol in front: "€ 4.800.000,00"."""
    if value is None or value == "":
        return "–"
    symbol = CURRENCY_SYMBOLS.get((currency or "EUR").upper(), currency)
    return f"{symbol}\u00a0{number(value, decimals)}"


def day(value) -> str:
    """A calendar day as "16 Sep 2026" (Dutch month names in Dutch)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if not isinstance(value, date):
        return str(value)
    return formats.date_format(value, "j M Y")
