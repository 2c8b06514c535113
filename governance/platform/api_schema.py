"""Every error the API can answer is in its OpenAPI schema, with its body.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds to
each operation the error statuses it can answer and has not declared itself:

- 400 with the problems by field, when it takes a body or query parameters;
- 401 when it needs credentials (a missing, expired or revoked token);
- 403 when it needs credentials (the role or scope does not allow it);
- 404 when its path names an organisation or a record (unknown, or not visible);
- 409 where a view declares it (a state that does not allow the move);
- 412 when it takes an `If-Match` header (the record changed since it was read);
- 429 on the public and sign-in endpoints, which count attempts.

Bodies: `Error` (`{"detail": "…"}`) for 401/403/404/409/412/429, and `ValidationErrors`
(a message list per field, or `detail` / `non_field_errors`) for 400.
"""

ERROR = "Error"
VALIDATION_ERRORS = "ValidationErrors"
COMPONENTS = {
    ERROR: {
        "type": "object",
        "description": "Why the request was refused.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERRORS: {
        "type": "object",
        "description": (
            "The problems with the request: for each field (or `non_field_errors`) a list of "
            "messages, or one `detail` message."
        ),
        "additionalProperties": {},
    },
}
DESCRIPTIONS = {
    "400": "The request has problems; each is named by its field or parameter.",
    "401": "No valid credentials: the token is missing, malformed, expired or revoked.",
    "403": "The credentials do not allow this operation.",
    "404": "The organisation or record does not exist or is not visible with these credentials.",
    "409": "The record's state does not allow this.",
    "412": "The record changed since it was read (If-Match does not match).",
    "429": "Too many attempts; try again later.",
}
PUBLIC_PREFIXES = ("/api/v1/k/", "/api/v1/auth/")
METHODS = {"get", "put", "patch", "post", "delete", "head", "options", "trace"}


def _response(status: str) -> dict:
    component = VALIDATION_ERRORS if status == "400" else ERROR
    return {
        "description": DESCRIPTIONS[status],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def _needs_credentials(operation: dict) -> bool:
    return any(requirement for requirement in operation.get("security", [{}]))


def error_statuses(path: str, method: str, operation: dict) -> list[str]:
    parameters = operation.get("parameters", [])
    statuses = []
    if operation.get("requestBody") or any(p["in"] == "query" for p in parameters):
        statuses.append("400")
    if _needs_credentials(operation):
        statuses += ["401", "403"]
    if "{" in path:
        statuses.append("404")
    if any(p["in"] == "header" and p["name"].lower() == "if-match" for p in parameters):
        statuses.append("412")
    if path.startswith(PUBLIC_PREFIXES) and method != "get":
        statuses.append("429")
    return statuses


def declare_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in COMPONENTS.items():
        schemas.setdefault(name, schema)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, method, operation):
                declared = responses.get(status)
                if declared is None:
                    responses[status] = _response(status)
                elif "content" not in declared:
                    # A view that names the status without its body gets the common body.
                    declared["content"] = _response(status)["content"]
            for status, declared in responses.items():
                if status in DESCRIPTIONS and "content" not in declared:
                    declared["content"] = _response(status)["content"]
    return result
