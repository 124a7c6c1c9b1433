"""The decisions an application still allows, as buttons on the application's and its
contractor's pages (the same actions the application list runs)."""

from django.utils.translation import gettext_lazy as _

from accounts.models import OPEN_APPLICATION_STATUSES, Application, ApplicationStatus

APPLICATION_BUTTONS = (
    ("start_review", _("Start review")),
    ("approve", _("Approve")),
    ("reject", _("Reject…")),
)

# The same buttons on the contractor's page, where they must say what they decide.
CONTRACTOR_APPLICATION_BUTTONS = (
    ("start_review", _("Start review of the application")),
    ("approve", _("Approve the application")),
    ("reject", _("Reject the application…")),
)


def application_buttons(application: Application) -> list[str]:
    """The actions an application's status still allows, in button order."""
    if application.status not in OPEN_APPLICATION_STATUSES:
        return []
    if application.status == ApplicationStatus.SUBMITTED:
        return ["start_review", "approve", "reject"]
    return ["approve", "reject"]
