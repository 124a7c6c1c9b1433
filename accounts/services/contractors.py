"""A contractor's status: suspend, reinstate, offboard; and telling them about it.

``contractor_transition`` and ``contractor_notify`` are the steps every status
change in accounts takes (an approved application, a finished onboarding too).
"""

from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import (
    ContractorProfile,
    ContractorStatus,
    ContractorStatusChange,
    Sanction,
    User,
)
from accounts.selectors import onboarding_is_complete
from portal.models import NotificationKind
from portal.notifications import Notice, notify
from portal.typed_text import writer_language


def contractor_notify(
    profile: ContractorProfile,
    *,
    kind: str,
    template: str,
    body: Callable[[], str],
    link: str,
    context: dict[str, Any] | None = None,
) -> None:
    """A notice now and, after commit, the email rendered from ``template``."""
    context = {"profile": profile, "site_url": settings.SITE_URL, **(context or {})}

    def notice() -> Notice:
        return Notice(
            title=render_to_string(f"{template}_subject.txt", context).strip(),
            body=body(),
            email_body=render_to_string(f"{template}.txt", context),
        )

    notify(
        recipients=User.objects.filter(pk=profile.user_id),
        kind=kind,
        notice=notice,
        link=link,
        topic=f"contractor:{profile.pk}",
    )


# --- Contractor status -----------------------------------------------------------


def _contractor_status_in_sentence(status: str) -> str:
    """The status as a word inside "%(name)s is %(status)s and can't become %(to)s."."""
    words: dict[str, str] = {
        ContractorStatus.APPLICANT: pgettext(
            "contractor status, inside a sentence", "an applicant"
        ),
        ContractorStatus.ONBOARDING: pgettext("contractor status, inside a sentence", "onboarding"),
        ContractorStatus.ACTIVE: pgettext("contractor status, inside a sentence", "active"),
        ContractorStatus.SUSPENDED: pgettext("contractor status, inside a sentence", "suspended"),
        ContractorStatus.OFFBOARDED: pgettext("contractor status, inside a sentence", "offboarded"),
    }
    return words[status]


def contractor_transition(
    profile: ContractorProfile, *, to: str, by: User | None, reason: str
) -> ContractorProfile:
    profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
    if not profile.can_transition_to(to):
        raise ValidationError(
            _("%(name)s is %(status)s and can't become %(to)s."),
            params={
                "name": profile.legal_name,
                "status": _contractor_status_in_sentence(profile.status),
                "to": _contractor_status_in_sentence(to),
            },
        )
    from_status = profile.status
    profile.status = to
    profile.status_reason = reason
    profile.written_in = writer_language() if reason else ""
    profile.status_changed_at = timezone.now()
    profile.save(
        update_fields=["status", "status_reason", "written_in", "status_changed_at", "updated_at"]
    )
    ContractorStatusChange.objects.create(
        profile=profile, from_status=from_status, to_status=to, reason=reason, by=by
    )
    return profile


class SanctionOrder(Protocol):
    """A case decision ordering a sanction; ``projects.models.Case`` is the one kind there is.

    Suspension and offboarding take work away, so these services refuse to run
    without one: due process is the only way there.
    """

    contractor_id: int

    @property
    def case_number(self) -> int: ...

    def orders(self, sanction: str) -> bool: ...


def _require_case(case: SanctionOrder | None, profile: ContractorProfile, sanction: str) -> None:
    if case is None or case.contractor_id != profile.pk or not case.orders(sanction):
        raise ValidationError(
            _(
                "A contractor can be suspended or offboarded only by a case decision: open a "
                "case under a published rule and decide it."
            )
        )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the contractor a reason; they will read it.")]})
    return reason


@transaction.atomic
def contractor_suspend(
    *, profile: ContractorProfile, by: User, reason: str, case: SanctionOrder | None
) -> ContractorProfile:
    reason = _require_reason(reason)
    _require_case(case, profile, Sanction.SUSPENSION)
    profile = contractor_transition(profile, to=ContractorStatus.SUSPENDED, by=by, reason=reason)
    contractor_notify(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_suspended",
        body=lambda: (
            _("The reason given: %(reason)s Hours already approved stay payable.")
            % {"reason": reason}
        ),
        link=reverse("home"),
        context={"reason": reason, "written_in": profile.written_in},
    )
    return profile


@transaction.atomic
def contractor_reinstate(
    *, profile: ContractorProfile, by: User | None, reason: str, case: SanctionOrder | None = None
) -> ContractorProfile:
    """Lift a suspension, or (with the case whose appeal overturned it) an offboarding."""
    reason = _require_reason(reason)
    profile = ContractorProfile.objects.select_for_update().get(pk=profile.pk)
    overturned = (
        profile.status == ContractorStatus.OFFBOARDED
        and case is not None
        and case.contractor_id == profile.pk
        and case.orders(ContractorStatus.ACTIVE)
    )
    if profile.status != ContractorStatus.SUSPENDED and not overturned:
        raise ValidationError(_("Only a suspended contractor can be reinstated."))
    if not onboarding_is_complete(profile):
        raise ValidationError(_("This contractor's onboarding is not complete."))
    profile = contractor_transition(profile, to=ContractorStatus.ACTIVE, by=by, reason=reason)
    contractor_notify(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_reinstated",
        body=lambda: _("The note from your manager: %(reason)s") % {"reason": reason},
        link=reverse("home"),
        context={"reason": reason, "written_in": profile.written_in},
    )
    return profile


@transaction.atomic
def contractor_offboard(
    *, profile: ContractorProfile, by: User, reason: str, case: SanctionOrder | None
) -> ContractorProfile:
    reason = _require_reason(reason)
    _require_case(case, profile, Sanction.OFFBOARDING)
    profile = contractor_transition(profile, to=ContractorStatus.OFFBOARDED, by=by, reason=reason)
    contractor_notify(
        profile,
        kind=NotificationKind.ACCOUNT_STATUS,
        template="accounts/email/contractor_offboarded",
        body=lambda: (
            _("The reason given: %(reason)s Hours already approved stay payable.")
            % {"reason": reason}
        ),
        link=reverse("home"),
        context={"reason": reason, "written_in": profile.written_in},
    )
    return profile
