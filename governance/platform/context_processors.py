from governance.platform.access import organisations_for


def tenant(request):
    """The current organisation and access, and (lazily) every organisation the user reaches."""
    user = getattr(request, "user", None)
    return {
        "organisation": getattr(request, "organisation", None),
        "access": getattr(request, "access", None),
        "reachable_organisations": (lambda: organisations_for(user)) if user else list,
    }
