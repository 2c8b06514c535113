"""API pagination for wide rows (stored evidence, long texts): the page's ids are sorted and
cut on the ids alone, and only the page's rows are read whole.

PostgreSQL otherwise carries every matching row, JSON and text included, through the sort of
`ORDER BY … LIMIT 50`: on 15,000 gap flags of about 1.5 KB each that sort cost more than the rest
of the request. The page is the same: the same filter, the same order, the same rows; the inner
query and the outer one sort alike because the primary key is added as the last key (a total
order, so ties cannot fall differently between the two)."""

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination


class NarrowSortPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        ordering = [*(queryset.query.order_by or queryset.model._meta.ordering), "pk"]
        queryset = queryset.order_by(*ordering)
        # One query: the ids of the page as a subquery (LIMIT/OFFSET on narrow rows), then the
        # rows themselves, in the same order.
        rows = queryset.filter(pk__in=queryset.values("pk")[bottom:top])
        return self._get_page(rows, number, self)


class NarrowSortPagination(PageNumberPagination):
    django_paginator_class = NarrowSortPaginator
