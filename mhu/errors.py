"""Error responses: JSON with a message and per-field messages for the API, HTML for pages."""

from flask import Flask, jsonify, render_template
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from mhu.auth import wants_json
from mhu.extensions import db
from mhu.services import ServiceError, VersionConflict


def error_response(status: int, name: str, message: str, errors: dict | None = None, headers=None):
    """The one JSON error shape: {code, status, message, errors}."""
    body = {"code": status, "status": name, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def init_app(app: Flask) -> None:
    """Register handlers; they replace flask-smorest's so pages are not answered in JSON."""

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        if not wants_json():
            return render_template("error.html", error=error), error.code
        data = getattr(error, "data", None) or {}
        messages = data.get("messages")
        if messages and error.code == 422:
            message = "The request has invalid fields; see errors."
        else:
            message = data.get("message") or error.description
        headers = dict(data.get("headers") or {})
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            headers["Allow"] = ", ".join(error.valid_methods)
        return error_response(error.code, error.name, message, messages, headers)

    @app.errorhandler(ServiceError)
    def handle_service_error(error: ServiceError):
        db.session.rollback()
        status_names = {404: "Not Found", 409: "Conflict", 412: "Precondition Failed", 422: "Unprocessable Entity", 428: "Precondition Required"}
        headers = {}
        if isinstance(error, VersionConflict):
            headers["ETag"] = f'"{error.current_version}"'
        errors = {"json": error.errors} if error.errors else None
        if not wants_json():
            return render_template("error.html", error=error), error.status
        return error_response(error.status, status_names.get(error.status, "Error"), error.message, errors, headers)

    @app.errorhandler(StaleDataError)
    def handle_stale_data(_error):
        # A concurrent writer committed between our read and our UPDATE ... WHERE version = n.
        db.session.rollback()
        if not wants_json():
            return render_template("error.html", error=VersionConflict(0)), 412
        return error_response(412, "Precondition Failed", "The record was changed by someone else; reload it and try again.")

    @app.errorhandler(InternalServerError)
    def handle_server_error(error):
        db.session.rollback()
        if not wants_json():
            return render_template("error.html", error=InternalServerError()), 500
        return error_response(500, "Internal Server Error", "Something went wrong; nothing was saved.")
