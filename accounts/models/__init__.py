"""The accounts app's models, one module per seam; import them from here."""

from accounts.models.applications import (
    OPEN_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    resume_upload_to,
)
from accounts.models.onboarding import (
    AGREEMENT_FALLBACK_LANGUAGE,
    AgreementAcceptance,
    AgreementVersion,
    PayoutDetails,
    PayoutMethod,
    TaxForm,
    TaxFormType,
)
from accounts.models.profiles import (
    ContractorProfile,
    ContractorStatus,
    ContractorStatusChange,
    ExpertiseArea,
    LanguageLevel,
    ProfileLanguage,
)
from accounts.models.rules import (
    INTERIM_CATEGORIES,
    NEVER_SANCTIONED,
    ConductRule,
    ConductRuleText,
    RuleBook,
    RuleCategory,
    RuleSeverity,
    Sanction,
)
from accounts.models.tokens import ApiToken
from accounts.models.users import User, UserManager

__all__ = [
    "AGREEMENT_FALLBACK_LANGUAGE",
    "INTERIM_CATEGORIES",
    "NEVER_SANCTIONED",
    "OPEN_APPLICATION_STATUSES",
    "AgreementAcceptance",
    "AgreementVersion",
    "ApiToken",
    "Application",
    "ApplicationStatus",
    "ApplicationStatusChange",
    "ConductRule",
    "ConductRuleText",
    "ContractorProfile",
    "ContractorStatus",
    "ContractorStatusChange",
    "ExpertiseArea",
    "LanguageLevel",
    "PayoutDetails",
    "PayoutMethod",
    "ProfileLanguage",
    "RuleBook",
    "RuleCategory",
    "RuleSeverity",
    "Sanction",
    "TaxForm",
    "TaxFormType",
    "User",
    "UserManager",
    "resume_upload_to",
]
