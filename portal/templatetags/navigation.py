"""The header's links for the signed-in person's role: ``{% load navigation %}``,
``{% site_nav as nav %}``, then ``nav.main`` (the bar on a wide screen, the menu's top on a
phone) and ``nav.account`` (the rest of the menu).

Worked out once per page in Python: the header shows the main links twice, and resolving
each URL and comparing it with the current path in the template cost every page about as
much as its own content.
"""

from dataclasses import dataclass, field

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

register = template.Library()

# Contractor statuses of someone who works here (or has), by their stored value.
_WORKING = {"active", "suspended", "offboarded"}


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str
    current: bool


@dataclass
class Nav:
    main: list[NavLink] = field(default_factory=list)
    account: list[NavLink] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def site_nav(context: template.Context) -> Nav:
    request = context.get("request")
    user = context.get("user")
    nav = Nav()
    if user is None or not user.is_authenticated:
        return nav
    path = request.path if request is not None else ""
    profile = getattr(user, "contractor_profile", None)
    status = profile.status if profile is not None else ""

    def link(name: str, label: str) -> NavLink:
        url = reverse(name)
        return NavLink(url, label, url == path)

    main = nav.main
    if status in _WORKING:
        main.append(link("home", _("Dashboard")))
        main.append(link("projects:my_projects", _("My projects")))
        main.append(link("projects:timesheet", _("Timesheet")))
        main.append(link("payments:earnings", _("Earnings")))
        # Always there for someone who works here (no query on every page): due process is
        # theirs to read before any case.
        main.append(link("cases:list", _("Cases")))
    elif status == "applicant":
        main.append(link("accounts:application_status", _("Application")))
    elif status == "onboarding":
        main.append(link("accounts:onboarding", _("Onboarding")))
        # Paid assessments and training can be taken while onboarding.
        main.append(link("projects:timesheet", _("Timesheet")))
        main.append(link("payments:earnings", _("Earnings")))
    elif not status and not user.is_staff:
        main.append(link("accounts:apply", _("Apply")))
    if not user.is_staff:
        main.append(link("support:index", _("Help")))
    if user.is_staff and user.has_perm("payments.export_payroll"):
        main.append(link("payments:payroll", _("Payroll export")))
    if user.is_staff:
        # The admin is a place of its own: never marked as the current page.
        main.append(NavLink(reverse("admin:index"), _("Admin"), False))

    account = nav.account
    # API tokens and two-factor authentication serve people who work here (or run it), not
    # someone still applying.
    if status in _WORKING:
        account.append(link("accounts:onboarding", _("Onboarding")))
    if user.is_staff or status in _WORKING:
        account.append(link("accounts:api_tokens", _("API tokens")))
        account.append(link("mfa_index", _("Security")))
    account.append(link("accounts:preferences", _("Preferences")))
    return nav
