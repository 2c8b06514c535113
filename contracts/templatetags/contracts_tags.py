from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 70.0000 → "70", 99.5000 → "99.5"."""
    return format(value.normalize(), "f")


@register.filter
def num(value):
    """A stored decimal as people write it, localised: 99.5000 → "99,5" in Dutch."""
    if value is None or value == "":
        return "—"
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    text = plain(value)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(value, decimal_pos=decimals)
