"""OpenAPI for the GS1-conformant resolver (plain Django views, so added to drf-spectacular's schema by a hook).

The resolver's routes (tracing.resolver_views) answer GS1 Digital Link URIs at the site's root, not
under /api/, with HTML pages, redirects or an RFC 9264 linkset. This hook documents every method
and every status they answer with, so that a client (or a schema-driven test) knows exactly what
to expect. Registered in ``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``.
"""

from __future__ import annotations

import copy

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            },
        }
    },
}

_TARGET = {
    "type": "object",
    "required": ["href"],
    "properties": {
        "href": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "type": {"type": "string"},
        "hreflang": {"type": "array", "items": {"type": "string"}},
        "title*": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["value"],
                "properties": {"value": {"type": "string"}, "language": {"type": "string"}},
            },
        },
    },
}

LINKSET = {
    "type": "object",
    "description": "An RFC 9264 linkset: one link context object per level (item, batch, product); "
    "each GS1 link type (a https://gs1.org/voc/ URI) holds an array of target objects.",
    "required": ["linkset"],
    "properties": {
        "linkset": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["anchor"],
                "properties": {"anchor": {"type": "string", "format": "uri"}},
                "additionalProperties": {"type": "array", "items": _TARGET},
            },
        }
    },
}

_DESCRIPTION_FILE = {
    "type": "object",
    "required": ["resolverRoot", "supportedPrimaryKeys"],
    "properties": {
        "name": {"type": "string"},
        "resolverRoot": {"type": "string", "format": "uri"},
        "supportedPrimaryKeys": {"type": "array", "items": {"type": "string"}},
        "supportedLinkType": {
            "type": "array",
            "items": {"type": "object", "properties": {"namespace": {"type": "string"}, "prefix": {"type": "string"}}},
        },
        "linkTypeDefaultCanBeLinkset": {"type": "boolean"},
        "linkTypeDefaultCanBeAll": {"type": "boolean"},
        "supportsSemanticInterpretation": {"type": "boolean"},
        "validatesAIcombinations": {"type": "boolean"},
        "supportsLanguageVariants": {"type": "boolean"},
        "contact": {"type": "object", "properties": {"fn": {"type": "string"}}},
    },
}

_HTML = {"text/html": {"schema": {"type": "string"}}}
_LINK_HEADER = {
    "Link": {
        "description": 'The linkset (`rel="linkset"`), the canonical URI (`rel="canonical"`) and, for a '
        'compressed URI, its uncompressed form (`rel="owl:sameAs"`).',
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {"schema": {"type": "string"}},
}
_LOCATION = {**_LINK_HEADER, "Location": {"schema": {"type": "string"}}}


def _param(name: str, description: str, pattern: str | None = None) -> dict:
    schema = {"type": "string"}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


_QUERY = [
    {
        "name": "linkType",
        "in": "query",
        "required": False,
        "description": "A GS1 link type (`gs1:pip`, `gs1:hasRetailers`, `gs1:traceability`, `gs1:certificationInfo`, "
        "`gs1:buy`, `gs1:defaultLink`, `gs1:verificationService`, or its https://gs1.org/voc/ URI), or `linkset`/`all` "
        "for the linkset. Without it: the default link.",
        "schema": {"type": "string"},
    },
    {
        "name": "attributes",
        "in": "query",
        "required": False,
        "description": "GS1 data attributes: numeric AIs as keys (e.g. `17=261231`, an expiry date), each a known AI "
        "permitted as an attribute, given once, with a valid value. Other keys are passed on when redirecting.",
        "schema": {"type": "object", "additionalProperties": {"type": "string"}},
        "style": "form",
        "explode": True,
    },
]


def _get_responses(*, item: bool) -> dict:
    responses = {
        "200": {
            "description": (
                "Item: the scan page (the default link, served at this URI), or the linkset "
                "(`linkType=linkset`/`all`, or `Accept: application/linkset+json`)."
                if item
                else "The linkset (`linkType=linkset`/`all`, or `Accept: application/linkset+json`)."
            ),
            "headers": _LINK_HEADER,
            "content": {
                **(_HTML if item else {}),
                "application/linkset+json": {"schema": LINKSET},
                "application/json": {"schema": LINKSET},
            },
        },
        "301": {
            "description": "Not the canonical form (GTIN-13, lower-case serial, names…): redirect to it.",
            "headers": _LOCATION,
        },
        "307": {
            "description": "Redirect to the requested link type's page (or the default link's).",
            "headers": _LOCATION,
        },
        "400": {
            "description": "Not a valid GS1 Digital Link: the reason in the page or in the JSON error.",
            "headers": _LINK_HEADER,
            "content": {**_HTML, "application/json": {"schema": _ERROR}},
        },
        "404": {
            "description": "A valid link that names nothing of ours, or no link of the requested type"
            + ("; for a stamp code that is not ours, the 'unknown stamp' warning page." if item else "."),
            "headers": _LINK_HEADER,
            "content": {**_HTML, "application/json": {"schema": _ERROR}},
        },
    }
    if item:
        responses["429"] = {"description": "Too many looks from this connection or at this code.", "content": _HTML}
    return responses


def _head_responses(get: dict) -> dict:
    head = {}
    for status, response in get.items():
        head[status] = {k: v for k, v in response.items() if k != "content"}
    return head


def _options(*, not_found: bool = False) -> dict:
    responses = {
        "204": {
            "description": "No content.",
            "headers": {
                "Allow": {"schema": {"type": "string"}},
                "Access-Control-Allow-Methods": {"schema": {"type": "string"}},
            },
        }
    }
    if not_found:
        # A path the resolver's routes do not take (e.g. text that is no compressed Digital Link).
        responses["404"] = {"description": "No such path.", "content": _HTML}
    return {"tags": ["resolver"], "summary": "The methods the resolver answers (and CORS).", "responses": responses}


def _operations(operation_id: str, summary: str, description: str, parameters: list, *, item: bool) -> dict:
    get = _get_responses(item=item)
    return {
        "get": {
            "operationId": operation_id,
            "tags": ["resolver"],
            "summary": summary,
            "description": description,
            "parameters": parameters + copy.deepcopy(_QUERY),
            "responses": get,
            "security": [{}],
        },
        "head": {
            "operationId": operation_id + "_head",
            "tags": ["resolver"],
            "summary": summary + " (headers only; a look is not recorded)",
            "parameters": parameters + copy.deepcopy(_QUERY),
            "responses": _head_responses(get),
            "security": [{}],
        },
        "options": {
            **_options(not_found=bool(parameters)),
            "operationId": operation_id + "_options",
            "parameters": parameters,
        },
    }


_GTIN = _param("gtin", "The GTIN (AI 01), 14 digits (GTIN-8/12/13 are redirected to the 14-digit form).")
_LOT = _param("lot", "The batch/lot (AI 10): 1-20 characters of the GS1 character set 82, percent-encoded.")
_SERIAL = _param("serial", "The stamp's serial (AI 21): 14 characters; other GS1 serials are not found.")

_ITEM_DESCRIPTION = (
    "What every stamp's QR code leads to. Without `linkType`: the scan page (verdict, product, batch, journey), "
    "recorded as one look. With a link type: a 307 redirect to that page (recorded as one look too). The "
    "linkset lists the links of the item, its batch and its product. HEAD and the linkset record nothing."
)


def resolver_paths() -> dict:
    item = _operations
    return {
        "/01/{gtin}": item(
            "resolver_product",
            "A product: its links",
            "Without `linkType`: a redirect to the product page.",
            [_GTIN],
            item=False,
        ),
        "/01/{gtin}/10/{lot}": item(
            "resolver_batch",
            "A batch: its links",
            "Without `linkType`: a redirect to the batch's journey (the product page for an unknown lot).",
            [_GTIN, _LOT],
            item=False,
        ),
        "/01/{gtin}/21/{serial}": item(
            "resolver_item",
            "A stamped item: the scan page and its links",
            _ITEM_DESCRIPTION,
            [_GTIN, _SERIAL],
            item=True,
        ),
        "/01/{gtin}/10/{lot}/21/{serial}": item(
            "resolver_item_with_lot",
            "A stamped item of a batch: the scan page and its links",
            _ITEM_DESCRIPTION,
            [_GTIN, _LOT, _SERIAL],
            item=True,
        ),
        "/{compressed}": item(
            "resolver_compressed",
            "A compressed GS1 Digital Link",
            'Answered in place like the URI it stands for (named in the Link header, `rel="owl:sameAs"`).',
            [_param("compressed", "GS1 Digital Link compression: one base64url segment.", "^[A-Za-z0-9_-]{10,}$")],
            item=True,
        ),
        "/.well-known/gs1resolver": {
            "get": {
                "operationId": "resolver_description_file",
                "tags": ["resolver"],
                "summary": "The GS1 resolver description file",
                "responses": {
                    "200": {
                        "description": "What this resolver supports.",
                        "content": {"application/json": {"schema": _DESCRIPTION_FILE}},
                    }
                },
                "security": [{}],
            },
            "head": {
                "operationId": "resolver_description_file_head",
                "tags": ["resolver"],
                "summary": "The GS1 resolver description file (headers only)",
                "responses": {"200": {"description": "What this resolver supports."}},
                "security": [{}],
            },
            "options": {**_options(), "operationId": "resolver_description_file_options"},
        },
    }


def add_resolver_paths(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the resolver's paths and tag."""
    result.setdefault("paths", {}).update(resolver_paths())
    tags = result.setdefault("tags", [])
    if not any(tag.get("name") == "resolver" for tag in tags):
        tags.append(
            {
                "name": "resolver",
                "description": "GS1-conformant resolver: GS1 Digital Link URIs at the site's root (not under /api/).",
            }
        )
    return result
