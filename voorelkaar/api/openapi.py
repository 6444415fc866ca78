"""The OpenAPI 3.1 document of /api/v1: the contract, and the shapes input is checked against."""

from __future__ import annotations

from voorelkaar.models import ReferralStatus, RequestState, ScheduleKind
from voorelkaar.models.api_token import Scope

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def _string(max_length: int, *, min_length: int = 0, **extra) -> dict:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, **extra}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


# The version of this document and of every answer's API-Version header (semver, ADR
# /core/version-header): the major is in the path, /api/v1.
# What changed in each version, newest first (ADR /core/changelog): shown on /api/v1/docs.
# A new version needs its entry here; API_VERSION is the newest one. The major version is
# in the path (/api/v1); a minor adds without breaking; a patch fixes.
CHANGELOG = (
    (
        "1.2.0",
        "2026-12-05",
        (
            "A token with scope `requests:write` may subscribe to webhooks too (before, only "
            "`referrals:write`).",
            "`request.closed` is also sent when the help was given (`state` = `done`), and "
            "`referral.status_changed` then says `afgerond`.",
        ),
    ),
    (
        "1.1.0",
        "2026-12-05",
        (
            "Every error is a problem details answer (RFC 9457, `application/problem+json`) "
            "with `invalid-params` for refused input; the old `error` and `fields` keys are "
            "gone.",
            "`API-Version` on every answer; `info.version` is semver; `info.contact`.",
            "Webhook subscriptions: `POST`, `GET` and `DELETE /subscriptions`.",
            "`GET /figures` answers per municipality too (`gemeenten`) for a token whose user "
            "works for several.",
        ),
    ),
    (
        "1.0.0",
        "2026-11-25",
        (
            "First version: `GET /health`, `GET /figures`, `POST /referrals`, "
            "`GET /referrals/{id}`, `GET` and `POST /requests`.",
        ),
    ),
)
API_VERSION = CHANGELOG[0][0]

# RFC 9457 problem details, as the NLGov API Design Rules want every error.
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance", "code"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "description": "about:blank: the status says what it is."},
        "title": {"type": "string", "description": "The HTTP status phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, in Dutch."},
        "instance": {"type": "string", "description": "The path that was called."},
        "code": {"type": "string", "description": "Stable, machine-readable code."},
        "invalid-params": {
            "type": "array",
            "description": "Per field of the input, what is wrong with it (400 and 422).",
            "items": {
                "type": "object",
                "required": ["name", "reason"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string", "description": "The field, as in the input."},
                    "reason": {"type": "string", "description": "What is wrong, in Dutch."},
                },
            },
        },
    },
}

COUNT = {
    "description": 'A count; counts from 1 to 4 are shown as "< 5", so no one can be recognised.',
    "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "enum": ["< 5"]}],
}

REFERRAL_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "resident_name",
        "postcode",
        "house_number",
        "category",
        "title",
        "description",
        "consent_date",
    ],
    "properties": {
        "resident_name": _string(100, min_length=1),
        "email": _nullable(_string(254, format="email")),
        "phone": _nullable(_string(20)),
        "postcode": _string(7, min_length=1, examples=["7941 AB"]),
        "house_number": _string(10, min_length=1, examples=["12a"]),
        "street": _nullable(_string(100, examples=["Kerkstraat"])),
        "category": _string(50, min_length=1, description="Slug of a category of help."),
        "title": _string(100, min_length=1),
        "description": _string(2000, min_length=1),
        "wanted_when": _string(200),
        "consent_date": _string(
            10, format="date", pattern=DATE_PATTERN, description="YYYY-MM-DD, not in the future."
        ),
    },
}

REFERRAL = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "status", "request_state", "created_at", "expires_at"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "enum": [s.value for s in ReferralStatus]},
        "request_state": {
            "type": ["string", "null"],
            "enum": [s.value for s in RequestState] + [None],
            "description": "State of the help request that came of it, if any.",
        },
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
    },
}

REQUEST_INPUT = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "resident_name",
        "consent_date",
        "category",
        "title",
        "description",
        "postcode",
        "house_number",
        "start_time",
        "end_time",
    ],
    "properties": {
        "resident_name": _string(100, min_length=1),
        "resident_contact": _nullable(_string(254)),
        "consent_date": _string(10, format="date", pattern=DATE_PATTERN),
        "category": _string(50, min_length=1),
        "title": _string(100, min_length=1),
        "description": _string(2000, min_length=1),
        "skills": {
            "type": "array",
            "maxItems": 10,
            "items": _string(50, min_length=1),
        },
        "schedule": {"type": "string", "enum": [s.value for s in ScheduleKind]},
        "day": _string(
            10, format="date", pattern=DATE_PATTERN, description="For `once`: the date."
        ),
        "weekday": {
            "type": "integer",
            "minimum": 0,
            "maximum": 6,
            "description": "For `weekly`: 0 = Monday .. 6 = Sunday.",
        },
        "until": _string(
            10, format="date", pattern=DATE_PATTERN, description="For `weekly`: the last date."
        ),
        "start_time": _string(5, pattern=TIME_PATTERN, description="HH:MM, Europe/Amsterdam."),
        "end_time": _string(5, pattern=TIME_PATTERN),
        "postcode": _string(7, min_length=1),
        "house_number": _string(10, min_length=1),
        "street": _nullable(
            _string(
                100,
                description="Given only to a volunteer once the appointment is confirmed.",
            )
        ),
        "volunteers_needed": {"type": "integer", "minimum": 1, "maximum": 10},
        "vulnerable": {"type": "boolean"},
        "requires_vog": {"type": "boolean"},
    },
}

WHEN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["schedule"],
    "properties": {
        "schedule": {"type": "string", "enum": [s.value for s in ScheduleKind]},
        "starts_at": {"type": ["string", "null"], "format": "date-time"},
        "ends_at": {"type": ["string", "null"], "format": "date-time"},
        "weekday": {"type": ["integer", "null"], "minimum": 0, "maximum": 6},
        "start_time": {"type": ["string", "null"]},
        "end_time": {"type": ["string", "null"]},
        "until": {"type": ["string", "null"], "format": "date"},
    },
}

OPEN_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "description": "An open request with a coarse place only: never an address or a name.",
    "required": ["id", "title", "category", "wijk", "pc4", "when", "volunteers_needed"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "category": {
            "type": "object",
            "additionalProperties": False,
            "required": ["slug", "name"],
            "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
        },
        "wijk": {
            "type": ["object", "null"],
            "additionalProperties": False,
            "required": ["id", "name"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
        "pc4": {"type": "string", "pattern": "^[0-9]{4}$"},
        "when": WHEN,
        "volunteers_needed": {"type": "integer"},
        "published_at": {"type": ["string", "null"], "format": "date-time"},
    },
}

POSTED_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "state", "pc4", "wijk"],
    "properties": {
        "id": {"type": "integer"},
        "state": {"type": "string", "enum": [s.value for s in RequestState]},
        "pc4": {"type": "string"},
        "wijk": {"type": ["string", "null"]},
    },
}

FIGURES = {
    "type": "object",
    "additionalProperties": False,
    "required": ["from", "to", "wijken", "total"],
    "properties": {
        "from": {"type": "string", "pattern": MONTH_PATTERN},
        "to": {"type": "string", "pattern": MONTH_PATTERN},
        "wijken": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["wijk", "posted", "matched"],
                "properties": {
                    "wijk": {"type": ["string", "null"], "description": "null: outside any wijk"},
                    "posted": COUNT,
                    "matched": COUNT,
                },
            },
        },
        "total": {
            "type": "object",
            "additionalProperties": False,
            "required": ["posted", "matched"],
            "properties": {"posted": COUNT, "matched": COUNT},
        },
        "gemeenten": {
            "type": "array",
            "description": "Only for a token whose user works for several municipalities: "
            "the figures of each of them (the total is across them).",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["gemeente", "posted", "matched"],
                "properties": {"gemeente": {"type": "string"}, "posted": COUNT, "matched": COUNT},
            },
        },
    },
}

HEALTH = {
    "type": "object",
    "additionalProperties": False,
    "required": ["status"],
    "properties": {"status": {"type": "string", "enum": ["ok"]}},
}


PROBLEM_TYPE = "application/problem+json"
VERSION_HEADER = {"API-Version": {"$ref": "#/components/headers/API-Version"}}


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _ok(description: str, schema: dict | None, headers: dict | None = None) -> dict:
    """A success: with a JSON body (none when schema is None) and the API-Version header."""
    response = {"description": description, "headers": {**VERSION_HEADER, **(headers or {})}}
    if schema is not None:
        response["content"] = {"application/json": {"schema": schema}}
    return response


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


INVALID = {"400": _error("The request is not valid: see `invalid-params`.")}
GUARDED = {
    "401": _error("No token, or an unknown or revoked one."),
    "403": _error("The token lacks the scope, or its user may not do this."),
    "429": _error("Too many calls with this token; try again later."),
}


def _guarded(scope: Scope | tuple[Scope, ...], summary: str, responses: dict, **operation) -> dict:
    """An operation behind a token with scope (or any one of several scopes)."""
    names = [item.value for item in (scope if isinstance(scope, tuple) else (scope,))]
    either = " or ".join(f"`{name}`" for name in names)
    return {
        "summary": summary,
        "description": f"Scope: {either}.",
        "security": [{"bearer": [name]} for name in names],
        "x-scope": " or ".join(names),
        **operation,
        "responses": {**INVALID, **responses, **GUARDED},
    }


def _json_body(name: str) -> dict:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "voorelkaar API",
        "version": API_VERSION,
        "description": (
            "For the systems around the platform: the municipality's case system and the "
            "volunteer centre. Every call except /health needs a personal access token from "
            "an admin, sent as `Authorization: Bearer <token>`. Errors are problem details "
            "(RFC 9457, `application/problem+json`) with a Dutch `detail`. Every answer "
            "carries `API-Version`. Calls are rate-limited per token. The changes per "
            "version are listed at /api/v1/docs#changes."
        ),
    },
    "servers": [{"url": "/api/v1"}],
    "paths": {
        "/health": {
            "get": {
                "operationId": "health",
                "summary": "Whether the API answers. Needs no token.",
                "security": [],
                "responses": {"200": _ok("The API is up.", _ref("Health"))},
            }
        },
        "/figures": {
            "get": _guarded(
                Scope.READ_FIGURES,
                "Requests posted and matched per wijk over a period of months, of the "
                "municipalities the token's user works for.",
                {
                    "200": _ok("The figures.", _ref("Figures")),
                    "422": _error("A month is missing or not valid."),
                },
                operationId="figures",
                parameters=[
                    {
                        "name": "from",
                        "in": "query",
                        "required": True,
                        "description": "First month, YYYY-MM.",
                        "schema": {"type": "string", "pattern": MONTH_PATTERN},
                    },
                    {
                        "name": "to",
                        "in": "query",
                        "required": True,
                        "description": "Last month (included), YYYY-MM; at most 5 years on.",
                        "schema": {"type": "string", "pattern": MONTH_PATTERN},
                    },
                ],
            )
        },
        "/referrals": {
            "post": _guarded(
                Scope.CREATE_REFERRALS,
                "Refer a resident (the token's user must be a Wmo consultant).",
                {
                    "201": _ok(
                        "The referral; the resident gets an invitation.",
                        _ref("Referral"),
                        {"Location": {"schema": {"type": "string"}}},
                    ),
                    "400": _error("The body is not a JSON object."),
                    "422": _error("Some fields are not valid; see `invalid-params`."),
                },
                operationId="createReferral",
                requestBody=_json_body("ReferralInput"),
            )
        },
        "/referrals/{referral_id}": {
            "get": _guarded(
                Scope.CREATE_REFERRALS,
                "Status and outcome of one of the token user's own referrals.",
                {
                    "200": _ok("Status and outcome, nothing more private.", _ref("Referral")),
                    "404": _error("No such referral of this consultant."),
                },
                operationId="getReferral",
                parameters=[
                    {
                        "name": "referral_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                    }
                ],
            )
        },
        "/requests": {
            "get": _guarded(
                Scope.REQUESTS,
                "Open help requests, newest first, with a coarse place only.",
                {
                    "200": _ok(
                        "Open requests.",
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["requests"],
                            "properties": {
                                "requests": {"type": "array", "items": _ref("OpenRequest")}
                            },
                        },
                    ),
                    "422": _error("The wijk or the limit is not valid."),
                },
                operationId="listRequests",
                parameters=[
                    {
                        "name": "wijk",
                        "in": "query",
                        "required": False,
                        "description": "A wijk by id or by name (case does not matter).",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "description": "At most this many requests (default 50).",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 200},
                    },
                ],
            ),
            "post": _guarded(
                Scope.REQUESTS,
                "Post a help request on behalf of a resident (staff or consultant token).",
                {
                    "201": _ok(
                        "The request; it waits for review when moderation is on.",
                        _ref("PostedRequest"),
                    ),
                    "400": _error("The body is not a JSON object."),
                    "422": _error("Some fields are not valid; see `invalid-params`."),
                },
                operationId="createRequest",
                requestBody=_json_body("RequestInput"),
            ),
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A personal access token issued by an admin.",
            }
        },
        "headers": {
            "API-Version": {
                "description": "The full version of the API that answered (semver).",
                "required": True,
                "schema": {"type": "string", "example": API_VERSION},
            }
        },
        "schemas": {
            "Problem": PROBLEM,
            "Health": HEALTH,
            "Figures": FIGURES,
            "ReferralInput": REFERRAL_INPUT,
            "Referral": REFERRAL,
            "RequestInput": REQUEST_INPUT,
            "OpenRequest": OPEN_REQUEST,
            "PostedRequest": POSTED_REQUEST,
        },
    },
}


def document_for(contact: dict) -> dict:
    """The document as served: info.contact of the municipality running this site."""
    return {**DOCUMENT, "info": {**DOCUMENT["info"], "contact": contact}}
