"""The role matrix of DESIGN.md section 4, in one place.

Every API view, field page, dashboard callback and export asks these functions. Deny by default:
an unknown role gets nothing. Objects of another agency are reported as missing (404) by the
services' agency scoping, before these rules are consulted.
"""

from mhu.enums import ROLES
from mhu.models import Call, Team, User

FIELD_ROLES = frozenset({"officer", "clinician", "supervisor"})
IDENTIFYING_ROLES = FIELD_ROLES
PARTNER_VIEW_ROLES = frozenset({"officer", "clinician", "supervisor", "partner"})
ALL_ROLES = frozenset(ROLES)


def can_create_records(user: User) -> bool:
    """Create calls, persons, referrals and follow-ups."""
    return user.role in FIELD_ROLES


def can_read_calls(user: User) -> bool:
    """Read calls and identified persons of the user's own agency."""
    return user.role in FIELD_ROLES


def can_identify_persons(user: User) -> bool:
    """See names, dates of birth, safety flags and response plans."""
    return user.role in IDENTIFYING_ROLES


def can_edit_call(user: User, call: Call) -> bool:
    """Officers and clinicians edit their team's calls; supervisors any call of their agency."""
    if call.agency_id != user.agency_id:
        return False
    if user.role == "supervisor":
        return True
    if user.role in ("officer", "clinician"):
        return call.team_id in user.team_ids
    return False


def can_record_for_team(user: User, team: Team) -> bool:
    """Officers and clinicians record calls for their own teams; supervisors for any team of the agency."""
    if team.agency_id != user.agency_id or not can_create_records(user):
        return False
    return user.role == "supervisor" or team.id in user.team_ids


def can_work_followup_queue(user: User) -> bool:
    """The follow-up queue is the clinicians' worklist; supervisors oversee it."""
    return user.role in ("clinician", "supervisor")


def can_read_clinical_notes(user: User) -> bool:
    """Clinical notes are for clinicians only."""
    return user.role == "clinician"


def can_merge_persons(user: User) -> bool:
    """Merging and unmerging persons is a supervisor's decision."""
    return user.role == "supervisor"


def can_view_identified_dashboards(user: User) -> bool:
    """Identified dashboards and drill-down lists (scope: team, or agency for supervisors)."""
    return user.role in FIELD_ROLES


def can_view_partner_dashboard(user: User) -> bool:
    """The suppressed, de-identified aggregates."""
    return user.role in PARTNER_VIEW_ROLES


def can_manage_teams(user: User) -> bool:
    """Create teams and change their members (DESIGN.md section 4: supervisors and administrators)."""
    return user.role in ("supervisor", "admin")


def can_manage_users(user: User) -> bool:
    """Create, change and deactivate accounts of the agency."""
    return user.role == "admin"


def can_manage_agency_settings(user: User) -> bool:
    """Time zone, districts and beats, suppression threshold, follow-up hours of the agency."""
    return user.role == "admin"


def can_manage_integrations(user: User) -> bool:
    """Issue and revoke API tokens for the agency's integration accounts."""
    return user.role == "admin"


def can_manage_own_sessions(user: User) -> bool:
    """Every signed-in user sees their own devices and may sign them out."""
    return user.role in ALL_ROLES


def can_read_audit(user: User) -> bool:
    """Search and export the agency's audit trail."""
    return user.role == "admin"


def can_import_calls(user: User) -> bool:
    """Import calls from files, read and undo the agency's import batches, manage mapping profiles."""
    return user.role in ("supervisor", "admin")


def can_export_calls(user: User) -> bool:
    """Row-level export of the agency's calls (CSV)."""
    return user.role in ("supervisor", "admin")


def can_post_cad_incidents(user: User) -> bool:
    """The CAD feed: only `integration` service accounts post incidents."""
    return user.role == "integration"


def reads_data(user: User) -> bool:
    """Every role but `integration`, a service account that may post CAD incidents and read nothing
    (not even its own profile or the agency's teams)."""
    return user.role != "integration"


def team_scope(user: User) -> set[int] | None:
    """Teams whose identified data the user may see; None means the whole agency."""
    return None if user.role == "supervisor" else user.team_ids


def home_face(user: User) -> str:
    """Which face a user lands on after login: "field" (tablets), "admin", or "dashboard"."""
    if user.role in ("officer", "clinician"):
        return "field"
    if user.role == "admin":
        return "admin"
    return "dashboard"


def can_read_command_reports(user: User) -> bool:
    """The command report and grant exports: agency-wide aggregates for command staff."""
    return user.role == "supervisor"


def can_maintain_training(user: User) -> bool:
    """Record, import and remove officers' CIT training (DESIGN.md section 4: supervisors and admins)."""
    return user.role in ("supervisor", "admin")


def can_read_partner_reports(user: User) -> bool:
    """The partner report (publication grid only): partners and command staff, who send it to them."""
    return user.role in ("partner", "supervisor")


def can_open_reports_page(user: User) -> bool:
    """The dashboard's Reports page lists the reports the user may read."""
    return can_read_command_reports(user) or can_read_partner_reports(user)


def can_issue_surveys(user: User) -> bool:
    """Officers and clinicians hand the people they served an anonymous survey link."""
    return user.role in ("officer", "clinician")


def can_issue_survey(user: User, call: Call) -> bool:
    """A survey link for this call: officers and clinicians who can see the call (their agency's)."""
    return can_issue_surveys(user) and call.agency_id == user.agency_id and can_read_calls(user)


def can_review_survey_comments(user: User) -> bool:
    """Mark survey comments free of identifying details (or not) before anyone else reads them."""
    return user.role == "clinician"


def can_read_survey_results(user: User) -> bool:
    """Survey aggregates with their reviewed comments, by team and month."""
    return user.role == "supervisor"


def can_receive_reminders(user: User) -> bool:
    """Reminders about follow-ups assigned to the user (the field roles that work follow-ups)."""
    return user.role in FIELD_ROLES


def can_draft_story(user: User, call: Call) -> bool:
    """Write a call's shareable summary: whoever may edit the call."""
    return can_edit_call(user, call)


def can_approve_stories(user: User) -> bool:
    """Approve or withdraw a story for sharing: a supervisor's decision (the real privacy control)."""
    return user.role == "supervisor"


def can_view_evaluation(user: User) -> bool:
    """Program evaluation (funnel, comparisons, savings, hand-offs) reads every call of the agency,
    patrol-only ones included: command staff only."""
    return user.role == "supervisor"
