"""The vendor managers' admin: the application queue, contractors and onboarding.

Nothing here writes a status: every decision is an action that calls
``accounts.services``, which checks the transition and records the history.
"""

# Importing the modules registers their ModelAdmins with the admin site.
from accounts.admin import agreements, applications, contractors, records, rules, users

__all__ = ["agreements", "applications", "contractors", "records", "rules", "users"]
