"""Every write to applications, contractor profiles, onboarding, preferences and API tokens.

Views, admin actions, the API and commands call these functions; none of them
writes these models directly. One module per thing changed; everything public
is importable from here (``from accounts import services``).
"""

from accounts.services.applications import (
    MOTIVATION_MAX_LENGTH,
    PROFILE_FIELDS,
    ApplicantDetails,
    application_approve,
    application_reject,
    application_start_review,
    application_submit,
    application_update,
    application_withdraw,
)
from accounts.services.contractors import (
    contractor_offboard,
    contractor_reinstate,
    contractor_suspend,
)
from accounts.services.onboarding import (
    TAX_FORM_FIELDS,
    agreement_accept,
    agreement_publish,
    identity_verify,
    payout_details_save,
    tax_form_submit,
    tax_form_type_for,
)
from accounts.services.preferences import user_preferences_set
from accounts.services.tokens import api_token_create, api_token_revoke

__all__ = [
    "MOTIVATION_MAX_LENGTH",
    "PROFILE_FIELDS",
    "TAX_FORM_FIELDS",
    "ApplicantDetails",
    "agreement_accept",
    "agreement_publish",
    "api_token_create",
    "api_token_revoke",
    "application_approve",
    "application_reject",
    "application_start_review",
    "application_submit",
    "application_update",
    "application_withdraw",
    "contractor_offboard",
    "contractor_reinstate",
    "contractor_suspend",
    "identity_verify",
    "payout_details_save",
    "tax_form_submit",
    "tax_form_type_for",
    "user_preferences_set",
]
