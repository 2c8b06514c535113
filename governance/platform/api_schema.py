"""Every error the API can answer is in its OpenAPI schema, with its body.

A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) adds to
each operation the error statuses it can answer and has not declared itself:

- 400 with the problems by field or parameter, on every write and on reads that take query
  parameters (a blank filter is no filter; the enum of a filter lists "");
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
        "description": (
            "The problems with the request: for each field or parameter (or "
            "`non_field_errors`) a list of messages, one `detail` message, or a list of "
            "messages when the request as a whole is refused."
        ),
        "anyOf": [
            {"type": "object", "additionalProperties": {}},
            {"type": "array", "items": {"type": "string"}},
        ],
    },
}
# A service window's times are wall-clock times in the organisation's time zone, without an
# offset ("08:00:00"); OpenAPI's `format: time` would demand one (RFC 3339 full-time).
LOCAL_TIME = {
    "type": "string",
    "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
    "description": "Local time of day (Europe/Amsterdam), HH:MM[:SS], without an offset.",
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
# Fields a supplier's user never gets (its own serializer leaves them out): present for the
# client's team, absent for a supplier, so not required in the published record.
CLIENT_ONLY = {
    "AgendaItem": ["client_notes", "client_only", "client_impact"],
    "Exercise": ["internal_notes"],
    "FindingClient": ["client_note"],
    "SimulationChain": ["internal_notes"],
    "Survey": ["anonymity_locked", "groups", "stakeholder_groups", "state"],
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
    # A write can break a rule of the record's state even without a body.
    if method != "get" or any(p["in"] == "query" for p in parameters):
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
                responses.setdefault(status, _response(status))
            for status, declared in responses.items():
                if status in DESCRIPTIONS:
                    _complete(status, declared)
            _blank_query_choices(operation)
            if not path.startswith(PUBLIC_PREFIXES):
                _json_bodies(operation)
    _client_only(schemas)
    _local_times(result)
    return result


def _client_only(schemas: dict) -> None:
    for name, fields in CLIENT_ONLY.items():
        component = schemas.get(name)
        if component is None:
            continue
        component["required"] = [f for f in component.get("required", []) if f not in fields]
        for field in fields:
            described = component.get("properties", {}).get(field)
            if described is not None:
                described["description"] = (
                    described.get("description", "") + " Absent for a supplier's user."
                ).strip()


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _json_bodies(operation: dict) -> None:
    """The API is published as JSON. Form encodings stay accepted, but are published only
    where a file is uploaded and on the public endpoints, which web forms post to (a form
    cannot say "not an object", "a list" or "null")."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return
    for media in FORM_TYPES:
        if media in content and "binary" not in repr(content[media]):
            del content[media]


def _blank_query_choices(operation: dict) -> None:
    """A blank filter (`?status=`) is no filter, throughout the API: the enum says so."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter["in"] == "query" and "enum" in schema and "" not in schema["enum"]:
            schema["enum"] = [*schema["enum"], ""]


def _complete(status: str, declared: dict) -> None:
    """A view that names an error status without its body gets the common body; one that
    names its own 400 body keeps it, next to the field problems any 400 can carry."""
    common = _response(status)["content"]["application/json"]["schema"]
    content = declared.setdefault("content", {})
    media = content.setdefault("application/json", {})
    own = media.get("schema")
    if own is None or own == common:
        media["schema"] = common
    elif status == "400":
        media["schema"] = {"anyOf": [own, common]}


def _local_times(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            for key, value in LOCAL_TIME.items():
                node.setdefault(key, value)
        for value in node.values():
            _local_times(value)
    elif isinstance(node, list):
        for value in node:
            _local_times(value)
