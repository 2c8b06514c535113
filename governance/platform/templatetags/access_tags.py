"""`{% if access|may:"members.manage" %}`: templates ask the role matrix, never a role."""

from django import template

register = template.Library()


@register.filter
def may(access, permission: str) -> bool:
    return bool(access) and access.may(permission)
