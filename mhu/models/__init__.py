"""The data model. Importing this package registers every table on `db.metadata`."""

import sqlalchemy as sa

from mhu.models.access import AccountLink, UserSession
from mhu.models.agency import Agency, Team, team_members
from mhu.models.audit import AuditEvent, IdempotencyRecord
from mhu.models.call import Call, CallInjury, CallPresentingProblem, CallRiskFlag, CallSubjectHint
from mhu.models.equity import CallStory, PersonRace
from mhu.models.care import ClinicalNote, FollowUp, FollowUpAttempt, Referral
from mhu.models.imports import ImportBatch, ImportChange, ImportProfile, ImportReject
from mhu.models.metric import (
    CallFact, EvaluationDay, EvaluationGapDay, FollowUpFact, MetricDay, MetricDimDay, MetricFactsState, MetricStaleDay,
    MetricTeamDay, MetricTotalDay,
)
from mhu.models.mfa import RecoveryCode, TotpFactor
from mhu.models.sso import AgencySso, SsoIdentity
from mhu.models.person import Person, PersonIdentity, PersonMerge
from mhu.models.training import CitTraining
from mhu.models.survey import FollowupReminder, SurveyInvitation, SurveyResponse, SurveyThrottle
from mhu.models.user import ApiToken, LoginThrottle, User
from mhu.models.references import create_on_postgresql, drop_on_postgresql
from mhu.extensions import db

sa.event.listen(db.metadata, "after_create", create_on_postgresql)
sa.event.listen(db.metadata, "after_drop", drop_on_postgresql)

__all__ = [
    "Agency", "Team", "team_members", "User", "ApiToken", "LoginThrottle", "Person", "PersonIdentity",
    "PersonMerge", "Call", "CallPresentingProblem", "CallRiskFlag", "CallInjury", "CallSubjectHint", "Referral",
    "FollowUp", "FollowUpAttempt", "ClinicalNote", "AuditEvent", "IdempotencyRecord",
    "CallFact", "EvaluationDay", "EvaluationGapDay", "FollowUpFact", "MetricDay", "MetricDimDay", "MetricStaleDay", "MetricTeamDay", "MetricTotalDay", "MetricFactsState", "TotpFactor", "RecoveryCode", "AgencySso",
    "SsoIdentity", "UserSession", "AccountLink",
    "ImportBatch", "ImportChange", "ImportProfile", "ImportReject", "CitTraining",
    "SurveyInvitation", "SurveyResponse", "SurveyThrottle", "FollowupReminder",
    "PersonRace", "CallStory",
]
