"""The signed-in person's own pages: applying, onboarding, API tokens, preferences.

Each view binds a form, calls one service and redirects; every object is
looked up through the signed-in user, so somebody else's is a 404.
"""

from accounts.views.applications import (
    application_edit,
    application_status,
    application_withdraw,
    apply,
    resume,
)
from accounts.views.onboarding_steps import (
    agreement,
    onboarding,
    payout_details,
    tax_document,
    tax_form,
)
from accounts.views.preferences import preferences
from accounts.views.tokens import api_token_revoke, api_tokens

__all__ = [
    "agreement",
    "api_token_revoke",
    "api_tokens",
    "application_edit",
    "application_status",
    "application_withdraw",
    "apply",
    "onboarding",
    "payout_details",
    "preferences",
    "resume",
    "tax_document",
    "tax_form",
]
