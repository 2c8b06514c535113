"""The two steps every list selector takes with what the user typed and chose."""

import operator
import re
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Q, QuerySet


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


def text_search(
    queryset: QuerySet, text: str, fields: tuple[str, ...], references=(), *, ranked=True
) -> QuerySet:
    """The rows in which every word of `text` begins a word of one of `fields`, best first:
    PostgreSQL's full-text search (the "simple" configuration, so Dutch and English are
    treated alike, with prefix matching), or on SQLite every word somewhere in one of the
    fields. A row whose `references` field contains the text as typed is always found.
    Not `ranked`, the rows keep the queryset's own order: ranking reads the text of every
    match, which is what a word found in most of 100,000 complaints cannot afford."""
    words = re.findall(r"\w+", text)
    if not words:
        return queryset.none()
    by_reference = reduce(
        operator.or_, (Q(**{f"{field}__icontains": text.strip()}) for field in references), Q()
    )
    if connection.vendor == "postgresql":
        query = SearchQuery(
            " & ".join(f"{word}:*" for word in words), config="simple", search_type="raw"
        )
        found = queryset.annotate(found_in=SearchVector(*fields, config="simple")).filter(
            Q(found_in=query) | by_reference
        )
        if not ranked:
            return found
        return found.annotate(search_rank=SearchRank(F("found_in"), query)).order_by(
            "-search_rank", *queryset.query.order_by
        )
    for word in words:
        in_some_field = reduce(
            operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields)
        )
        queryset = queryset.filter(in_some_field | by_reference)
    return queryset
