from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def state_on(survey, day) -> str:
    return survey.state(day)


@register.filter
def lookup(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def num(value, decimals=2):
    """A number in the active language (3,42 in Dutch); empty for None."""
    if value is None:
        return ""
    return number_format(round(value, int(decimals)), decimal_pos=int(decimals))


@register.filter
def pct(value, decimals=0):
    """A share 0…1 as a percentage in the active language."""
    if value is None:
        return ""
    return number_format(round(100 * value, int(decimals)), decimal_pos=int(decimals)) + " %"
