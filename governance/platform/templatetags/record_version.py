"""`{{ record|record_version }}`: a record's version for the hidden `version` field of a form
written by hand in a template (governance/platform/concurrency.py)."""

from django import template

from governance.platform.concurrency import version_of

register = template.Library()


@register.filter
def record_version(record) -> str:
    return version_of(record)
