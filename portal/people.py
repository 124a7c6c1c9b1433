"""How a staff member is named to contractors: the name they chose, never their email."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

UNNAMED_STAFF: Promise = _("A member of the vendor team")


def public_name(user: object) -> str:
    """The display name of ``user``, or a neutral name in the reader's language."""
    if user is None:
        return ""
    return shown_name(getattr(user, "display_name", "") or "")


def shown_name(name: str) -> str:
    """A stored name as shown to contractors: the neutral name when none was given."""
    return (name or "").strip() or str(UNNAMED_STAFF)
