"""The two steps every list selector takes with what the user typed and chose."""

import operator
from functools import reduce

from django.db.models import Q, QuerySet


def searched(queryset: QuerySet, text: str, *lookups: str) -> QuerySet:
    """The rows of which any of `lookups` ("title__icontains", …) matches `text`; all of them
    when nothing was typed."""
    if not text:
        return queryset
    return queryset.filter(reduce(operator.or_, (Q(**{lookup: text}) for lookup in lookups)))


def filtered(queryset: QuerySet, **lookups) -> QuerySet:
    """The rows that match every lookup with a value; a lookup left empty (no choice made, no
    id given) filters nothing."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})
