"""Forms for applying, onboarding and a person's own settings.

Forms check the shape of the input; the services own the business rules and
validate again, so a form here never decides anything on its own.
"""

from accounts.forms.account import ApiTokenForm, PreferencesForm
from accounts.forms.applications import (
    MAX_LANGUAGES,
    RESUME_ACCEPT,
    ApplicationEditForm,
    ApplicationForm,
    BaseLanguageFormSet,
    LanguageForm,
    language_formset,
)
from accounts.forms.base import (
    LanguageSelect,
    PortalForm,
    add_service_errors,
    site_language_choices,
)
from accounts.forms.onboarding import (
    AgreementForm,
    PayoutDetailsForm,
    TaxFormBase,
    W8BENForm,
    W9Form,
)

__all__ = [
    "MAX_LANGUAGES",
    "RESUME_ACCEPT",
    "AgreementForm",
    "ApiTokenForm",
    "ApplicationEditForm",
    "ApplicationForm",
    "BaseLanguageFormSet",
    "LanguageForm",
    "LanguageSelect",
    "PayoutDetailsForm",
    "PortalForm",
    "PreferencesForm",
    "TaxFormBase",
    "W8BENForm",
    "W9Form",
    "add_service_errors",
    "language_formset",
    "site_language_choices",
]
