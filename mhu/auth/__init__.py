"""Who is asking and what they may do: the request's credentials, the role guard, the policy.

Nothing here imports the services, so services may ask `mhu.auth.policy`. Logging in and out
(forms, Flask-Login's loaders) lives in `mhu.login`, which uses the services.
"""

from functools import wraps

from flask import abort, request
from flask_login import current_user

from mhu.extensions import login_manager


def wants_json() -> bool:
    """API, Dash callback and XHR requests get JSON errors; pages get redirects."""
    return (
        request.path.startswith("/api/")
        or request.path.startswith("/dashboard/_dash")
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
        or request.accept_mimetypes.best == "application/json"
    )


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def requires(*predicates):
    """Guard a view: 401 when anonymous, 403 unless every predicate(user) holds."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not all(predicate(current_user) for predicate in predicates):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
