"""The import page for supervisors and administrators (/imports/).

Upload a file, pick a stored or shipped profile (or upload one), preview a dry run (the first 20
mapped rows and the error summary), then run the import with a live progress bar and download
the rejected rows. The page's script (static/imports.js, self-hosted, no inline script) drives
the JSON API (/api/v1/imports), so the rules are the API's.
"""

from flask import Blueprint, Flask, render_template
from flask_login import current_user

from mhu.auth import policy, requires
from mhu.services import imports

bp = Blueprint("imports_page", __name__, url_prefix="/imports", template_folder="templates",
               static_folder="static", static_url_path="/static")


@bp.route("/")
@requires(policy.can_import_calls)
def index():
    """Upload, preview, run, report."""
    user = current_user._get_current_object()
    stored = [profile.name for profile in imports.list_profiles(agency_id=user.agency_id)]
    shipped = [name for name in imports.shipped_profiles() if name not in stored]
    return render_template("imports/index.html", stored=stored, shipped=shipped,
                           teams=[team for team in user.agency.teams if team.active],
                           batches=imports.list_batches(actor=user, limit=10))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
