"""Template filters for numbers, money and dates in the active language (see
governance.platform.formatting): `{{ value|number:2 }}`, `{{ cost|money }}`,
`{{ contract.value|money:contract.currency }}`, `{{ when|day }}`, `{{ change|signed:2 }}`."""

from django import template

from governance.platform import formatting

register = template.Library()


@register.filter
def number(value, decimals=None):
    return formatting.number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def signed(value, decimals=None):
    return formatting.number(value, None if decimals in (None, "") else int(decimals), sign=True)


@register.filter
def percent(value, decimals=0):
    return formatting.percent(value, int(decimals))


@register.filter
def money(value, currency="EUR"):
    return formatting.money(value, currency)


@register.filter
def day(value):
    return formatting.day(value)
