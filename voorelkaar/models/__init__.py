"""All models, imported here so that Base.metadata knows every table."""

from voorelkaar.models.api_token import ApiToken, Scope
from voorelkaar.models.availability import VolunteerSlot
from voorelkaar.models.checkin import (
    CADENCES_WEEKS,
    CarerProfile,
    Checkin,
    CheckinAnswer,
)
from voorelkaar.models.contact_note import ContactKind, ContactNote
from voorelkaar.models.figure_rollup import FigureRollup, FigureRollupState, FigureStale
from voorelkaar.models.form_token import FormToken
from voorelkaar.models.help_request import (
    Category,
    HelpRequest,
    PostedFor,
    RequestState,
    ScheduleKind,
)
from voorelkaar.models.kept_form import KeptForm
from voorelkaar.models.match import Match, MatchMessage, MatchState
from voorelkaar.models.moderation import AuditEvent, AuditNote
from voorelkaar.models.network import (
    CIRCLE_DAY_CHOICES,
    CIRCLE_DAYS,
    CircleAnswer,
    Closeness,
    NetworkCheck,
    NetworkMember,
    Relation,
)
from voorelkaar.models.notice import Notice
from voorelkaar.models.offer import Offer, OfferReply
from voorelkaar.models.organisation import (
    Organisation,
    OrganisationMember,
    ResponseStage,
    Vacancy,
    VacancyResponse,
)
from voorelkaar.models.outbox import OutboxMessage
from voorelkaar.models.place import (
    Municipality,
    MunicipalityCategory,
    MunicipalityStaff,
    Neighbourhood,
    NeighbourhoodArea,
)
from voorelkaar.models.referral import Referral, ReferralStatus, ReplacedCode
from voorelkaar.models.report import Report
from voorelkaar.models.task import StaffTask, TaskKind
from voorelkaar.models.upload import Upload
from voorelkaar.models.user import RecoveryCode, Role, User, UserRole, UserSession
from voorelkaar.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "CIRCLE_DAY_CHOICES",
    "CIRCLE_DAYS",
    "CircleAnswer",
    "Closeness",
    "NetworkCheck",
    "NetworkMember",
    "Relation",
    "Upload",
    "ApiToken",
    "Scope",
    "ContactKind",
    "ContactNote",
    "FigureRollup",
    "FigureRollupState",
    "FigureStale",
    "FormToken",
    "KeptForm",
    "Referral",
    "ReferralStatus",
    "ReplacedCode",
    "CADENCES_WEEKS",
    "CarerProfile",
    "Checkin",
    "CheckinAnswer",
    "StaffTask",
    "TaskKind",
    "AuditEvent",
    "AuditNote",
    "Category",
    "HelpRequest",
    "PostedFor",
    "RequestState",
    "ScheduleKind",
    "Match",
    "MatchMessage",
    "MatchState",
    "Notice",
    "Municipality",
    "MunicipalityCategory",
    "MunicipalityStaff",
    "Neighbourhood",
    "NeighbourhoodArea",
    "Offer",
    "OfferReply",
    "Organisation",
    "OrganisationMember",
    "OutboxMessage",
    "Report",
    "ResponseStage",
    "Vacancy",
    "VacancyResponse",
    "VolunteerSlot",
    "RecoveryCode",
    "Role",
    "User",
    "UserRole",
    "UserSession",
    "WebhookDelivery",
    "WebhookSubscription",
]
