"""Calls the CAD feed created for the officer's team, waiting for the details only officers know.

Kept apart from views.py: the home page includes one partial (_cad_waiting.html), which asks
this template function for its calls.
"""

from flask_login import current_user

from mhu.field import bp
from mhu.services import cad


@bp.app_template_global("cad_waiting_calls")
def cad_waiting_calls() -> list:
    """Open CAD calls of the viewer's teams (newest first)."""
    return cad.waiting_calls(actor=current_user._get_current_object())
