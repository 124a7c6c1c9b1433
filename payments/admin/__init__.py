"""The managers' side of payments: close periods, generate payouts, approve and pay them.

Money is read-only here for everyone: every change is an action that calls
``payments.services``, which checks the transition, locks the rows and
records the history; a refused change is reported against its payout.
"""

# Importing the modules registers their ModelAdmins with the admin site.
from payments.admin import payouts, periods

__all__ = ["payouts", "periods"]
