"""What each API endpoint takes and answers, declared next to the view, and the OpenAPI document
built from those declarations.

    @bp.post("/classes")
    @token_required("instructor", "admin")
    @contract("classes", "Create a class (instructors and admins)", body=ClassRequest,
              example={"name": "Docker 1"}, responses={201: ok("Created.", ClassCreated)})
    def create_class(body: ClassRequest): ...

`@contract` records the declaration on the view and, when it names a `body` model, validates the
JSON body with pydantic before the view runs (a body that does not fit is a 400 `bad_request`
naming the field, from the API's one error handler) and passes the model as `body`.
`build_document(app)` walks the app's /api/v1 routes and emits OpenAPI 3.1: paths from the
declarations, components from the models' JSON schemas. A route without a declaration is an
error, so a new endpoint cannot go undescribed.

The document is built from the code when first asked for (and cached per app) rather than kept
as a committed file: there is then one source, and the served description cannot drift from the
views. `flask --app app api openapi` prints it for tools that want a file.
"""
from __future__ import annotations

import re
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Union, get_args, get_origin

from flask import Flask, request
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from . import models

API_PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"

TAGS = [
    {"name": "meta"},
    {"name": "me"},
    {"name": "quizzes"},
    {"name": "labs"},
    {"name": "hosts"},
    {"name": "classes"},
    {"name": "sandbox",
     "description": "Your own Docker engine on the server, with a terminal in the lab page."},
]

INFO = {
    "title": "docklab API",
    "version": "1",
    "description": (
        "Token-authenticated JSON API of docklab. Send `Authorization: Bearer <token>` (make a "
        "token on the account page or with `flask token create`). Every error answer has one "
        "shape, the `Error` schema: {\"error\": code, \"message\": text in the requested "
        "language, \"message_ko\": ..., \"message_en\": ..., \"details\": {...}}."),
}

# Path parameters by name: (description, example). A declaration can give another example.
PATH_PARAMETERS: dict[str, tuple[str, Any]] = {
    "question_id": ("Question id", "client-what"),
    "lab_id": ("Lab id", "nginx-port"),
    "attempt_id": ("Attempt id", 1),
    "host_id": ("Host id", 1),
    "class_id": ("Class id", 1),
    "code": ("The single-use code of the pasted line (32 hex digits). It is the credential: no "
             "token is needed; a token, when sent, must be the code's owner's.",
             "0123456789abcdef0123456789abcdef"),
}

LANG_PARAMETER = {
    "name": "lang", "in": "query", "required": False,
    "description": "Language of texts; without it, the Accept-Language header, else Korean.",
    "schema": {"type": "string", "enum": ["ko", "en"]},
}

# Answers any endpoint can give, described once (components/responses).
SHARED_RESPONSES = {
    "Unauthorized": "No valid token (error: unauthorized).",
    "Forbidden": "The token's role may not use this endpoint (error: forbidden).",
    "NotFound": "Not found, or not yours (error: not_found).",
    "BadRequest": "The request is not what the endpoint takes (error: bad_request; for a body "
                  "that does not fit its schema, `details.field` names the first wrong field): "
                  "its body, text anywhere in it with a NUL character, or JSON nested more than "
                  "64 levels deep.",
    "TooLarge": "The body is larger than the server accepts (2 MiB) "
                "(error: request_entity_too_large).",
    "RateLimited": "Too many requests in a short time (error: rate_limited); try again later.",
}


@dataclass(frozen=True)
class Reply:
    """One response of an endpoint: `body` is a model, a union of models, a raw JSON schema,
    or None (no content); `shared` names one of SHARED_RESPONSES instead."""

    description: str = ""
    body: Any = None
    headers: tuple[str, ...] = ()
    example: Any = None
    shared: str | None = None


def ok(description: str, body: Any = None, headers: tuple[str, ...] = ()) -> Reply:
    return Reply(description, body, headers)


def refused(description: str, headers: tuple[str, ...] = (), example: Any = None) -> Reply:
    """An error answer (the one Error shape) with its own description."""
    return Reply(description, models.Error, headers, example)


UNAUTHORIZED = Reply(shared="Unauthorized")
FORBIDDEN = Reply(shared="Forbidden")
NOT_FOUND = Reply(shared="NotFound")
BAD_REQUEST = Reply(shared="BadRequest")
TOO_LARGE = Reply(shared="TooLarge")
RATE_LIMITED = Reply(shared="RateLimited", headers=("Retry-After",))

HEADER_SCHEMAS = {"Location": {"type": "string"}, "Retry-After": {"type": "integer"}}


@dataclass(frozen=True)
class Contract:
    tag: str
    summary: str
    responses: dict[int, Reply]
    description: str | None = None
    body: type[BaseModel] | None = None
    body_required: bool = True
    body_description: str | None = None
    validate: bool = True  # False: the view reads the body itself (the own-machine upload)
    example: Any = None
    lang: bool = False  # takes ?lang=
    query: type[BaseModel] | None = None
    examples: dict[str, Any] = field(default_factory=dict)  # path parameter examples
    public: bool = False  # no token
    token_optional: bool = False  # a token may be sent (the own-machine code is the credential)
    deprecated: bool = False
    text: bool = False  # answers text/plain too (with Accept: text/plain), errors included


def contract(tag: str, summary: str, *, responses: dict[int, Reply], **declared: Any):
    """Declare an endpoint (see the module docstring); validates `body` before the view."""
    declaration = Contract(tag, summary, responses, **declared)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if declaration.body is not None and declaration.validate:
                kwargs["body"] = declaration.body.model_validate(_json_body(declaration))
            return view(*args, **kwargs)

        wrapped.__contract__ = declaration  # type: ignore[attr-defined]
        return wrapped

    return decorator


def _json_body(declaration: Contract) -> Any:
    """The JSON body; an optional body left out is `{}`. Anything that is not JSON is None,
    which the model refuses (the body must be a JSON object)."""
    if not declaration.body_required and not request.get_data(cache=True):
        return {}
    return request.get_json(silent=True)


def contract_of(view: Callable) -> Contract | None:
    return getattr(view, "__contract__", None)


# --- the document ------------------------------------------------------------------------------
def _models_of(body: Any) -> list[type[BaseModel]]:
    if isinstance(body, type) and issubclass(body, BaseModel):
        return [body]
    if get_origin(body) in (Union, types.UnionType):
        return [model for arg in get_args(body) for model in _models_of(arg)]
    return []


def _schema_of(body: Any) -> dict:
    found = _models_of(body)
    if not found:
        return body  # a raw JSON schema
    refs = [{"$ref": REF.format(model=model.__name__)} for model in found]
    return refs[0] if len(refs) == 1 else {"oneOf": refs}


def _strip_titles(node: Any) -> Any:
    """pydantic titles every model and field after its name; the names say it already. A
    description from a docstring is joined back into one line."""
    if isinstance(node, dict):
        return {key: " ".join(value.split()) if key == "description" and isinstance(value, str)
                else _strip_titles(value) for key, value in node.items()
                if not (key == "title" and isinstance(value, str))}
    if isinstance(node, list):
        return [_strip_titles(item) for item in node]
    return node


def _content(schema: dict, example: Any, text: bool) -> dict:
    media: dict[str, Any] = {"schema": schema}
    if example is not None:
        media["example"] = example
    content = {"application/json": media}
    if text:
        content["text/plain"] = {"schema": {"type": "string"}}
    return content


def _response(reply: Reply, text: bool) -> dict:
    if reply.shared and not text:
        return {"$ref": f"#/components/responses/{reply.shared}"}
    if reply.shared:  # inline, to add text/plain
        reply = Reply(SHARED_RESPONSES[reply.shared], models.Error, reply.headers)
    answer: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        answer["headers"] = {name: {"schema": HEADER_SCHEMAS[name]} for name in reply.headers}
    if reply.body is not None:
        answer["content"] = _content(_schema_of(reply.body), reply.example, text)
    return answer


def _path_parameters(rule: str, declaration: Contract) -> list[dict]:
    parameters = []
    for converter, name in re.findall(r"<(?:([^:<>]+):)?([^<>]+)>", rule):
        description, example = PATH_PARAMETERS[name]
        schema = ({"type": "integer", "minimum": 0} if converter == "int"
                  else {"type": "string", "minLength": 1})
        parameters.append({"name": name, "in": "path", "required": True,
                           "description": description, "schema": schema,
                           "example": declaration.examples.get(name, example)})
    return parameters


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = _strip_titles(model.model_json_schema())
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": "query", "schema": prop}
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        prop.pop("default", None)
        parameters.append(parameter)
    return parameters


def _operation(view: Callable, rule: str, declaration: Contract) -> dict:
    roles = getattr(view, "__token_roles__", None)
    operation: dict[str, Any] = {"operationId": view.__name__, "summary": declaration.summary}
    if declaration.description:
        operation["description"] = declaration.description
    if declaration.deprecated:
        operation["deprecated"] = True
    operation["tags"] = [declaration.tag]
    if declaration.token_optional:
        operation["security"] = [{}, {"bearer": []}]
    elif roles is None:
        operation["security"] = []
    parameters = _path_parameters(rule, declaration)
    if declaration.lang:
        parameters.append({"$ref": "#/components/parameters/lang"})
    if declaration.query is not None:
        parameters.extend(_query_parameters(declaration.query))
    if parameters:
        operation["parameters"] = parameters
    if declaration.body is not None:
        body: dict[str, Any] = {"required": declaration.body_required, "content": _content(
            _schema_of(declaration.body), declaration.example, False)}
        if declaration.body_description:
            body["description"] = declaration.body_description
        operation["requestBody"] = body
    replies = dict(declaration.responses)
    # What any endpoint can answer, unless the declaration words it itself; a retired endpoint
    # is described by the one answer it is kept for.
    if not declaration.deprecated and rule != f"{API_PREFIX}/openapi.json":
        replies.setdefault(400, BAD_REQUEST)
    if roles is not None or declaration.token_optional:
        replies.setdefault(401, UNAUTHORIZED)
    if roles:
        replies.setdefault(403, FORBIDDEN)
    if declaration.body is not None:
        replies.setdefault(413, TOO_LARGE)
    operation["responses"] = {str(status): _response(reply, declaration.text)
                              for status, reply in sorted(replies.items())}
    return operation


def build_document(app: Flask) -> dict:
    """The OpenAPI document of every /api/v1 route of `app`; a route without `@contract` is a
    ValueError that names it."""
    paths: dict[str, dict] = {}
    used: list[Any] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        view = app.view_functions[rule.endpoint]
        declaration = contract_of(view)
        if declaration is None:
            raise ValueError(f"{rule.rule} ({rule.endpoint}) has no @contract: declare what it "
                             "takes and answers (docklab/api/contract.py)")
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(view, rule.rule, declaration)
        if declaration.body is not None:
            used.append((declaration.body, "validation"))
        used.extend((model, "serialization") for reply in declaration.responses.values()
                    for model in _models_of(reply.body))
    used.append((models.Error, "serialization"))
    unique = list(dict.fromkeys(used))
    _keys, definitions = models_json_schema(unique, ref_template=REF)
    schemas = _strip_titles(definitions.get("$defs", {}))
    return {
        "openapi": "3.1.0",
        "info": INFO,
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "tags": TAGS,
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "An API token of a docklab account."}},
            "parameters": {"lang": LANG_PARAMETER},
            "responses": {name: {"description": description, "content": {
                "application/json": {"schema": {"$ref": REF.format(model="Error")}}}}
                for name, description in SHARED_RESPONSES.items()},
            "schemas": dict(sorted(schemas.items())),
        },
    }
