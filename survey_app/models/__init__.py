"""The tables, one module per concept, every one re-exported here (`from survey_app.models import ...`)."""

from survey_app.models.accounts import ApiToken, Role, StaffSession, User
from survey_app.models.audit import AuditHead, AuditLog
from survey_app.models.base import empty_dict, empty_list, ident
from survey_app.models.campaigns import (
    Campaign,
    CampaignMember,
    CampaignStatus,
    InstrumentVersion,
    Location,
    RetiredToken,
    ServedInstrument,
    StoredScheme,
)
from survey_app.models.decisions import CertificationDecision, DecisionKind
from survey_app.models.field import Blob, Evidence, Sheet, Visit, VisitMode, VisitStatus
from survey_app.models.findings import (
    CriterionSource,
    Finding,
    FindingFile,
    FindingState,
    FindingType,
    SentMessage,
)
from survey_app.models.grades import GradeSnapshot
from survey_app.models.jobs import Job, JobState
from survey_app.models.outbox import RequestKey
from survey_app.models.responses import (
    CallbackAttempt,
    CallbackDraw,
    CallbackOutcome,
    CallbackPick,
    Channel,
    FraudModel,
    ResponseStatus,
    SurveyResponse,
    VerificationTask,
)

__all__ = [
    "ApiToken",
    "AuditHead",
    "AuditLog",
    "Blob",
    "CallbackAttempt",
    "CallbackDraw",
    "CallbackOutcome",
    "CallbackPick",
    "Campaign",
    "CampaignMember",
    "CampaignStatus",
    "CertificationDecision",
    "Channel",
    "CriterionSource",
    "DecisionKind",
    "Evidence",
    "Finding",
    "FindingFile",
    "FindingState",
    "FindingType",
    "FraudModel",
    "GradeSnapshot",
    "InstrumentVersion",
    "Job",
    "JobState",
    "Location",
    "RequestKey",
    "ResponseStatus",
    "RetiredToken",
    "SentMessage",
    "ServedInstrument",
    "Role",
    "StoredScheme",
    "Sheet",
    "StaffSession",
    "SurveyResponse",
    "User",
    "VerificationTask",
    "Visit",
    "VisitMode",
    "VisitStatus",
    "empty_dict",
    "empty_list",
    "ident",
]
