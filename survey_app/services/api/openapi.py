"""The OpenAPI 3.1 description of the read API (served at /api/v1/openapi.json; docs/api.md explains it)."""

from __future__ import annotations

from typing import Any

NULLABLE_STR = {"type": ["string", "null"]}
DECIMAL = {"type": ["string", "null"], "description": "a decimal number as text, two places (e.g. 76.14)"}
LABEL = {
    "type": "object",
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
    "required": ["zh"],
}
LABEL_OR_NULL = {"oneOf": [LABEL, {"type": "null"}]}
ANSWER = {
    "anyOf": [
        {"type": "number"},
        {"type": "string"},
        {"type": "array", "items": {"type": "string"}},
        {"type": "null"},
    ]
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                },
                "required": ["code", "status", "message"],
            }
        },
        "required": ["error"],
    },
    "Campaign": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": LABEL,
            "organisation": {"type": "string"},
            "certification_body": {"type": "string"},
            "scheme": NULLABLE_STR,
            "instrument": NULLABLE_STR,
            "status": {"type": "string", "enum": ["draft", "open", "closed"]},
            "starts_at": {"type": "string", "format": "date-time"},
            "deadline": {"type": "string", "format": "date-time"},
            "timezone": {"type": "string"},
            "cycle": {"type": "integer"},
            "previous": NULLABLE_STR,
            "callback_rate": {"type": "number"},
        },
        "required": ["code", "name", "status", "starts_at", "deadline", "timezone"],
    },
    "Location": {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "building": {"type": "string"},
            "entrance": {"type": "string"},
            "target": {"type": ["integer", "null"]},
            "active": {"type": "boolean"},
        },
        "required": ["code", "name", "active"],
    },
    "Response": {
        "type": "object",
        "properties": {
            "receipt": {"type": "string"},
            "location": NULLABLE_STR,
            "channel": {"type": "string", "enum": ["online", "offline", "phone", "visit"]},
            "status": {
                "type": "string",
                "enum": [
                    "received",
                    "flagged",
                    "callback_due",
                    "verified",
                    "rejected",
                    "unreachable",
                    "excluded",
                ],
            },
            "counted": {"type": "boolean", "description": "whether it counts in the grade (by its status)"},
            "instrument": {"type": "string"},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "submitted_at": {"type": "string", "format": "date-time"},
            "client_id": {"type": "string"},
            "ip_hash": {"type": "string"},
            "answers": {"type": "object", "additionalProperties": ANSWER},
            "comment": {"type": "string"},
            "contact_given": {"type": "boolean", "description": "a phone number was left (it never leaves)"},
            "fraud": {
                "type": "object",
                "properties": {
                    "score": {"type": ["number", "null"]},
                    "reasons": {"type": "array", "items": LABEL},
                    "families": {"type": "array", "items": {"type": "string"}},
                    "model": {"type": "string"},
                },
                "required": ["score", "reasons", "families"],
            },
        },
        "required": ["receipt", "channel", "status", "counted", "answers", "fraud", "submitted_at"],
    },
    "Findings": {
        "type": "object",
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "description": "the finding's number in its campaign"},
                        "type": {
                            "type": "string",
                            "enum": ["major", "minor", "improvement", "observation", "strength"],
                        },
                        "criterion_source": {"type": "string"},
                        "criterion_other": {"type": "string"},
                        "clause": {"type": "string"},
                        "description": {"type": "string"},
                        "state": {"type": "string"},
                        "deadline": {"type": ["string", "null"], "format": "date"},
                        "overdue": {"type": "boolean"},
                        "raised_by": {"type": "string"},
                        "raised_at": {"type": "string", "format": "date-time"},
                        "actions": {"type": "array", "items": {"type": "object"}},
                    },
                    "required": ["id", "type", "criterion_source", "state", "deadline", "overdue", "actions"],
                },
            }
        },
        "required": ["items"],
    },
    "Callbacks": {
        "type": "object",
        "properties": {
            "sample": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "receipt": {"type": "string"},
                        "draw": {"type": "string"},
                        "rank": {"type": "integer"},
                        "kind": {"type": "string"},
                        "seed": {"type": "integer"},
                        "drawn_at": {"type": "string", "format": "date-time"},
                    },
                    "required": ["receipt", "draw", "rank", "kind"],
                },
            },
            "attempts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "receipt": {"type": "string"},
                        "called_at": {"type": "string", "format": "date-time"},
                        "outcome": {"type": "string"},
                    },
                    "required": ["receipt", "called_at", "outcome"],
                },
            },
        },
        "required": ["sample", "attempts"],
    },
    "Grade": {
        "type": "object",
        "properties": {
            "scheme": {"type": "string"},
            "status": {
                "type": "string",
                "enum": ["certified", "not_certified", "incomplete", "insufficient_sample"],
            },
            "tier": NULLABLE_STR,
            "tier_label": LABEL_OR_NULL,
            "rule": {"type": "string"},
            "total": DECIMAL,
            "total_max": DECIMAL,
            "bonus": DECIMAL,
            "excluded": {"type": "object", "additionalProperties": {"type": "integer"}},
            "components": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "label": LABEL,
                        "max": DECIMAL,
                        "pass_mark": DECIMAL,
                        "source": {"type": "string", "enum": ["survey", "sheet"]},
                        "n": {"type": "integer"},
                        "score": DECIMAL,
                        "ci_low": DECIMAL,
                        "ci_high": DECIMAL,
                        "passed": {"type": "boolean"},
                        "dimensions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "string"},
                                    "label": LABEL,
                                    "weight": DECIMAL,
                                    "n": {"type": "integer"},
                                    "score": DECIMAL,
                                },
                                "required": ["id", "n", "score"],
                            },
                        },
                    },
                    "required": ["id", "source", "n", "score", "passed", "dimensions"],
                },
            },
            "comparison": {"type": "array", "items": {"type": "object"}},
        },
        "required": ["scheme", "status", "tier", "total", "components"],
    },
}
SCHEMAS["LockedGrade"] = {
    "allOf": [{"$ref": "#/components/schemas/Grade"}],
    "type": "object",
    "properties": {
        "locked_at": {"type": "string", "format": "date-time"},
        "valid_until": {"type": ["string", "null"], "format": "date-time"},
        "certificate_url": NULLABLE_STR,
        "counted_responses_sha256": {"type": "string"},
    },
    "required": ["locked_at", "counted_responses_sha256"],
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _errors(*codes: int) -> dict[str, Any]:
    words = {401: "no valid token", 403: "the token does not cover this campaign", 404: "not found"}
    words |= {422: "a bad parameter", 429: "too many requests for this token (see Retry-After)"}
    return {
        str(c): {"description": words[c], "content": {"application/json": {"schema": _ref("Error")}}}
        for c in codes
    }


def _get(summary: str, schema: dict[str, Any], *, campaign: bool = True, params: list[Any] | None = None,
         media: str = "application/json", extra: tuple[int, ...] = ()) -> dict[str, Any]:  # fmt: skip
    parameters = [{"$ref": "#/components/parameters/code"}] if campaign else []
    codes = (401, 403, 404, 429, *extra) if campaign else (401, 429, *extra)
    return {
        "get": {
            "summary": summary,
            "security": [{"token": []}],
            "parameters": parameters + (params or []),
            "responses": {
                "200": {"description": "OK", "content": {media: {"schema": schema}}},
                **_errors(*codes),
            },
        }
    }


def openapi(server: str) -> dict[str, Any]:
    """The document, with this server's address."""
    page = {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref("Response")}, "next": NULLABLE_STR},
    }
    page["required"] = ["items", "next"]
    cursor = [
        {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "the `next` value of the previous page (0 or absent: from the start)",
            "schema": {"type": "integer", "minimum": 0, "maximum": 10**12},
        },
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100},
        },
    ]

    def items(name: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"items": {"type": "array", "items": _ref(name)}},
            "required": ["items"],
        }

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mingcha read API",
            "version": "1",
            "description": "Campaigns, locations, responses with fraud scores and reasons, callback outcomes "
            "and grades. Read-only; personal data (phone numbers) never leaves through it.",
        },
        "servers": [{"url": server}],
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "parameters": {
                "code": {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
            },
        },
        "paths": {
            "/api/v1/campaigns": _get("Campaigns this token may read", items("Campaign"), campaign=False),
            "/api/v1/campaigns/{code}": _get("One campaign", _ref("Campaign")),
            "/api/v1/campaigns/{code}/locations": _get("Its locations (poster places)", items("Location")),
            "/api/v1/campaigns/{code}/responses": _get(
                "Its responses, paged in id order, with fraud scores and reasons",
                page,
                params=cursor,
                extra=(422,),
            ),
            "/api/v1/campaigns/{code}/responses.jsonl": _get(
                "All its responses streamed as the JSONL contract (docs/contracts/responses-jsonl.md)",
                {"type": "string"},
                media="application/x-ndjson",
            ),
            "/api/v1/campaigns/{code}/callbacks": _get(
                "The callback sample and every call's outcome", _ref("Callbacks")
            ),
            "/api/v1/campaigns/{code}/findings": _get(
                "Its findings: type, criterion, state, deadline, whether overdue, the organisation's actions",
                _ref("Findings"),
            ),
            "/api/v1/campaigns/{code}/grade": _get("The grade now (computed on request)", _ref("Grade")),
            "/api/v1/campaigns/{code}/grade/locked": _get("The locked grade in force", _ref("LockedGrade")),
        },
    }
