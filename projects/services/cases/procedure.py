"""The rules of procedure every step of a case follows.

Locking and moving a case, recording its events, telling the contractor (and
their representative), and the checks on a rule, an outcome and a date that
more than one step makes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import (
    ConductRule,
    ContractorProfile,
    RuleSeverity,
    Sanction,
    User,
)
from portal.dates import format_moment
from portal.models import NotificationKind
from portal.notifications import Notice, notify
from portal.notifications.outbox import outbox_enqueue
from projects.cases.sharing import representative_link, representative_link_expires_at
from projects.models import (
    Assignment,
    Case,
    CaseEvent,
    CaseEventKind,
)

_SANCTIONS = {Sanction.REMOVAL, Sanction.SUSPENSION, Sanction.OFFBOARDING}


# --- Recording and telling ---------------------------------------------------------


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("contractor__user", "rule__book", "assignment__project")
        .get(pk=case.pk)
    )


def _move(case: Case, to: str) -> None:
    if not case.can_transition_to(to):
        raise ValidationError(
            _("Case %(number)s is “%(status)s”; that step is not possible now."),
            params={"number": case.pk, "status": case.get_status_display()},
        )
    case.status = to


def _event(case: Case, kind: str, *, by: User | None, text: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, by=by, text=text, at=timezone.now())


def _tell(case: Case, *, kind: str, notice: _NoticeText) -> None:
    """The contractor in the app and by email (mandatory kinds); the representative too."""
    notify(
        recipients=User.objects.filter(pk=case.contractor.user_id),
        kind=kind,
        notice=notice,
        link=reverse("cases:detail", args=[case.pk]),
        topic=f"case:{case.pk}",
    )
    _tell_representative(case, kind=kind, notice=notice)


def _tell_representative(case: Case, *, kind: str, notice: _NoticeText) -> None:
    """Every case message reaches the representative the contractor named, by email.

    Each email carries a signed, expiring, read-only link to the case as the
    contractor sees it (``projects.cases.sharing``). A representative with an
    account here gets the message in the app too, in their own language (the
    in-app notice has no link: the case pages there are the contractor's).
    Anyone else gets the email in the contractor's language.
    """
    if not case.representative_email:
        return
    users = User.objects.filter(email__iexact=case.representative_email, is_active=True).exclude(
        pk=case.contractor.user_id
    )

    def addressed() -> Notice:
        text = notice()
        body = _(
            "You are named as the representative of %(name)s in case %(number)s.\n\n%(body)s"
        ) % {"name": case.contractor.legal_name, "number": case.pk, "body": text.body}
        link = _(
            "Read the case file (read only) until %(until)s: %(url)s\n"
            "The link stops working sooner if %(name)s names someone else."
        ) % {
            "until": format_moment(representative_link_expires_at()),
            "url": representative_link(case),
            "name": case.contractor.legal_name,
        }
        return Notice(title=text.title, body=body, email_body=f"{body}\n\n{link}\n")

    if users.exists():
        notify(recipients=users, kind=kind, notice=addressed, topic=f"case:{case.pk}")
        return
    with translation.override(case.contractor.user.language or None):
        text = addressed()
        outbox_enqueue(
            to=case.representative_email,
            subject=text.title,
            body=text.email_body or text.body,
            topic=f"case:{case.pk}",
        )


class _NoticeText:
    """A notice built at send time, in each reader's language."""

    def __init__(self, title: StrPromise, body: StrPromise, **params: object) -> None:
        self.title, self.body, self.params = title, body, params

    def __call__(self) -> Notice:
        params = {
            key: (value() if callable(value) else value) for key, value in self.params.items()
        }
        return Notice(title=str(self.title) % params, body=str(self.body) % params)


def _tell_opened(case: Case) -> None:
    _tell(
        case,
        kind=NotificationKind.CASE_OPENED,
        notice=_NoticeText(
            gettext_lazy("A case about your work: %(rule)s"),
            gettext_lazy(
                "Case %(number)s cites rule %(rule)s. Nothing has been decided; you will get a "
                "notice and a chance to answer before any decision."
            ),
            rule=case.rule.code,
            number=case.pk,
        ),
    )


# --- Checks ------------------------------------------------------------------------


def _require(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: [_("This is required; the contractor will read it.")]})
    return text


def _require_perm(by: User, perm: str) -> None:
    if not by.has_perm(perm):
        raise ValidationError(_("You don't have the permission for this step."))


def _check_subject(
    *, contractor: ContractorProfile, rule: ConductRule, assignment: Assignment | None
) -> None:
    rule = ConductRule.objects.select_related("book").get(pk=rule.pk)
    if rule.book.published_at is None or rule.book.effective_at is None:
        raise ValidationError({"rule": [_("Cite a rule from a published rule book.")]})
    if rule.book.effective_at > timezone.now():
        raise ValidationError({"rule": [_("This rule book does not apply yet.")]})
    if assignment is not None and assignment.contractor_id != contractor.pk:
        raise ValidationError({"assignment": [_("This assignment is someone else's.")]})


def _was_warned(case: Case) -> bool:
    """A warning in this case, or in an earlier one of this contractor under the same rule."""
    return CaseEvent.objects.filter(
        kind=CaseEventKind.WARNING,
        case__contractor_id=case.contractor_id,
        case__rule__code=case.rule.code,
    ).exists()


def _check_outcome(case: Case, outcome: str, *, field: str) -> None:
    if outcome not in Sanction.values:
        raise ValidationError({field: [_("Choose an outcome.")]})
    if not case.rule.allows(outcome):
        raise ValidationError(
            {field: [_("Rule %(rule)s can lead at most to: %(most)s.")]},
            params={"rule": case.rule.code, "most": case.rule.get_max_sanction_display()},
        )
    if outcome == Sanction.REMOVAL and case.assignment_id is None:
        raise ValidationError({field: [_("Removal needs a case about one assignment.")]})


def _effective_at(case: Case, decision: Decision, now: datetime) -> datetime:
    effective_at = decision.effective_at or now
    notice_days = settings.CASE_OFFBOARDING_NOTICE_DAYS
    if effective_at < now - timedelta(minutes=5):
        raise ValidationError({"effective_at": [_("A decision can't take effect in the past.")]})
    if (
        decision.outcome == Sanction.OFFBOARDING
        and case.rule.severity != RuleSeverity.EGREGIOUS
        and effective_at < now + timedelta(days=notice_days)
    ):
        raise ValidationError(
            {
                "effective_at": [
                    _("Offboarding takes effect at least %(days)d days after the decision.")
                    % {"days": notice_days}
                ]
            }
        )
    if decision.outcome == Sanction.SUSPENSION and (
        decision.suspended_until is None or decision.suspended_until <= effective_at.date()
    ):
        raise ValidationError(
            {"suspended_until": [_("Give the date the suspension ends, after it starts.")]}
        )
    return effective_at


# --- What a decider gives ----------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    outcome: str
    reasons: str
    effective_at: datetime | None = None
    suspended_until: date | None = None


@dataclass(frozen=True)
class AppealDecision:
    outcome: str
    reasons: str
    # Back pay on reinstatement: None takes the computed default.
    back_pay_minor: int | None = None
    back_pay_reason: str = ""
