from functools import wraps
from urllib.parse import urlencode

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.views import staff_todo


def require_mfa_for_staff(view):
    """Send a signed-in staff member without an authenticator to set one up."""

    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs):
        user = request.user
        if user.is_authenticated and user.is_staff and not is_mfa_enabled(user):
            messages.warning(
                request,
                gettext("Staff must turn on two-factor authentication before using the admin."),
            )
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{query}")
        return view(request, *args, **kwargs)

    return guarded


class PortalAdminSite(admin.AdminSite):
    """The admin, reachable only through allauth's login and only with MFA on.

    Staff sign in through allauth (rate limits, the MFA step); a staff member
    who has not yet set up an authenticator is sent to do so first.
    """

    site_header = _("Contractor portal administration")
    site_title = _("Contractor portal admin")
    index_title = _("Vendor operations")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.login = secure_admin_login(require_mfa_for_staff(self.login))

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and is_mfa_enabled(request.user)

    def admin_view(self, view, cacheable=False):
        return require_mfa_for_staff(super().admin_view(view, cacheable))

    def index(self, request: HttpRequest, extra_context: dict | None = None):
        # The index is the staff's to-do list, counted by the home page's module:
        # it stands on top of every app, so it is the one that may read their queues.
        context = {"todo": staff_todo(request.user), **(extra_context or {})}
        return super().index(request, extra_context=context)
