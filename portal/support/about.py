"""What a question is about: a payout, a week of hours, a project or a case, by kind and id.

Those records belong to apps built on top of this one, which it must not
import; each kind names its model by label and says how a record is tied to
the person asking. The asker can only point at their own records, and every
link is built here, so the conversation page and the admin show the same one.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.dates import format_day
from portal.money import format_money
from portal.support.models import AboutKind

RECENT = 12


@dataclass(frozen=True)
class About:
    kind: str
    id: int
    label: str
    link: str
    admin_link: str


# --- Payouts and projects: records with an id ------------------------------------------


def _payouts(user) -> QuerySet:
    payout = apps.get_model("payments", "Payout")
    return payout.objects.filter(contractor__user=user).select_related("period")


def _projects(user) -> QuerySet:
    project = apps.get_model("projects", "Project")
    return project.objects.filter(assignments__contractor__user=user).distinct()


def _cases(user) -> QuerySet:
    # The contractor's cases as their Cases page lists them: a signal no person has taken
    # up yet is not a case they know of.
    case = apps.get_model("projects", "Case")
    return case.objects.filter(contractor__user=user).exclude(status="signalled")


_RECORDS = {AboutKind.PAYOUT: _payouts, AboutKind.PROJECT: _projects, AboutKind.CASE: _cases}
_ORDER = {
    AboutKind.PAYOUT: "-period__start_on",
    AboutKind.PROJECT: "name",
    AboutKind.CASE: "-created_at",
}


def _record_about(kind: str, obj: Model) -> About:
    if kind == AboutKind.PAYOUT:
        return About(
            kind=kind,
            id=obj.pk,
            label=_("Payout for the week of %(day)s, %(amount)s")
            % {
                "day": format_day(obj.period.start_on),
                "amount": format_money(obj.net_minor, obj.currency),
            },
            link=reverse("payments:earnings") + f"?period={obj.period.start_on.isoformat()}",
            admin_link=reverse("admin:payments_payout_change", args=[obj.pk]),
        )
    if kind == AboutKind.CASE:
        return About(
            kind=kind,
            id=obj.pk,
            label=_("Case %(number)s, opened %(day)s")
            % {"number": obj.pk, "day": format_day(obj.created_at)},
            link=reverse("cases:detail", args=[obj.pk]),
            admin_link=reverse("admin:projects_case_change", args=[obj.pk]),
        )
    return About(
        kind=kind,
        id=obj.pk,
        label=obj.name,
        link=reverse("projects:project", args=[obj.pk]),
        admin_link=reverse("admin:projects_project_change", args=[obj.pk]),
    )


# --- Weeks of hours: a week is named by its first day's ordinal ---------------------------


def _week_start(day: date) -> date:
    return day - timedelta(days=(day.weekday() - settings.PAY_PERIOD_START_WEEKDAY) % 7)


def _entries(user) -> QuerySet:
    entry = apps.get_model("projects", "TimeEntry")
    return entry.objects.filter(assignment__contractor__user=user)


def _week_label(start: date) -> str:
    return _("Hours of the week of %(day)s") % {"day": format_day(start)}


def _week_about(user, start: date) -> About:
    profile = apps.get_model("accounts", "ContractorProfile").objects.filter(user=user)
    profile_id = profile.values_list("pk", flat=True).first()
    query = f"?week={start.isoformat()}&assignment__contractor__id__exact={profile_id}"
    return About(
        kind=AboutKind.WEEK,
        id=start.toordinal(),
        label=_week_label(start),
        link=f"{reverse('projects:timesheet')}?week={start.isoformat()}",
        admin_link=reverse("admin:projects_timeentry_changelist") + query,
    )


def _week_get(user, ordinal: int) -> About | None:
    try:
        start = date.fromordinal(ordinal)
    except (ValueError, OverflowError):
        return None
    if _week_start(start) != start:
        return None
    logged = _entries(user).filter(work_on__range=(start, start + timedelta(days=6)))
    return _week_about(user, start) if logged.exists() else None


def _week_choices(user) -> list[tuple[str, str]]:
    days = _entries(user).order_by("-work_on").values_list("work_on", flat=True).distinct()
    weeks = sorted({_week_start(day) for day in days[: RECENT * 7]}, reverse=True)[:RECENT]
    return [(f"{AboutKind.WEEK}:{start.toordinal()}", _week_label(start)) for start in weeks]


# --- What views, services and the admin call -------------------------------------------------


def about_get_for_user(*, user, kind: str, id: int) -> About | None:
    """The record ``user`` may ask about, or ``None`` if it is not theirs (or not there)."""
    if kind == AboutKind.WEEK:
        return _week_get(user, id)
    if kind not in _RECORDS:
        return None
    obj = _RECORDS[kind](user).filter(pk=id).first()
    return _record_about(kind, obj) if obj is not None else None


def about_choices_for_user(user) -> list[tuple[str, str]]:
    """``("kind:id", label)`` for the asker's recent payouts, weeks, projects and cases."""
    choices: list[tuple[str, str]] = []
    for kind, records in _RECORDS.items():
        for obj in records(user).order_by(_ORDER[kind])[:RECENT]:
            choices.append((f"{kind}:{obj.pk}", _record_about(kind, obj).label))
        if kind == AboutKind.PAYOUT:
            choices += _week_choices(user)
    return choices
