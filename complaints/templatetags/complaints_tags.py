from django import template

register = template.Library()


@register.filter
def overdue_on(complaint, today):
    """The overdue step ("acknowledge"/"resolve") of the complaint on `today`, or ""."""
    return complaint.overdue_step(today) if today else ""
