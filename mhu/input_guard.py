"""Refuse malformed input before it reaches a view: too-deep JSON, NUL characters in forms and
query strings of the pages, malformed Dash callback bodies, and component-suite paths that climb.

The API's own fields are bounded by its schemas (schemas/common.py), which answer 422 with
per-field messages; this module covers what no schema sees, so that bad input is a 4xx with a
message everywhere and never reaches the database or the file system.
"""

import re

from flask import Flask, abort, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

DASH_CALLBACK = "/dashboard/_dash-update-component"
DASH_SUITES = "/dashboard/_dash-component-suites/"
# Dash's suites hold package files with names like these; anything else is not a suite file.
SUITE_PATH = re.compile(r"[A-Za-z0-9_.@/-]+")


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON that nests too deeply for the parser is malformed input (400), not a server error."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            if has_request_context():
                request._json_too_deep = True
            raise ValueError("JSON nested too deeply") from None


def unstorable(value) -> bool:
    """Whether a string holds a NUL or an unpaired surrogate (no database stores either)."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value):
    """Every key and string in a JSON value (iteratively: the value may be deep)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_dash_callback() -> None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        abort(400, "A dashboard update needs a JSON object naming its output.")
    for key in ("inputs", "state"):
        items = body.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, (dict, list)) for i in items):
            abort(400, f"A dashboard update's `{key}` must be a list of component values.")
    if "changedPropIds" in body and not isinstance(body["changedPropIds"], list):
        abort(400, "A dashboard update's `changedPropIds` must be a list.")
    if any(unstorable(text) for text in _strings(body)):
        abort(400, "Text must not contain NUL characters or unpaired surrogates.")


class Int32Converter(IntegerConverter):
    """`<int:...>` in a route matches only ids the 32-bit id columns can hold: a larger number is
    404 like any other unknown id, not a database error on PostgreSQL."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Install the bounded JSON parser, the bounded `int` route converter and the pre-view checks
    (before every other hook and every route)."""
    app.json_provider_class = BoundedJSONProvider
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["int"] = Int32Converter

    def refuse_malformed_input():
        path = request.path
        if request.is_json and request.content_length:
            # Parsed once here with the bounded parser (webargs parses again with the plain one,
            # which would raise RecursionError on a 5,000-deep body); the result is cached.
            request.get_json(silent=True)
            if getattr(request, "_json_too_deep", False):
                abort(400, "The JSON body is nested too deeply.")
        if path.startswith(DASH_SUITES):
            suite_file = path[len(DASH_SUITES):]
            if ".." in suite_file.split("/") or not SUITE_PATH.fullmatch(suite_file):
                abort(404)
            return None
        if path.startswith("/api/"):
            return None  # the API's schemas bound every field and answer 422 per field
        if any(unstorable(text) for pair in request.args.items(multi=True) for text in pair):
            abort(400, "The address must not contain NUL characters.")
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if any(unstorable(text) for pair in request.form.items(multi=True) for text in pair):
                abort(400, "Form fields must not contain NUL characters.")
        if path == DASH_CALLBACK and request.method == "POST":
            _check_dash_callback()
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, refuse_malformed_input)
