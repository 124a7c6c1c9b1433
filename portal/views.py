import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from accounts.models import ContractorStatus
from accounts.selectors import application_latest_for_user, contractor_for_user
from accounts.services import user_preferences_set
from payments.selectors import earnings_dashboard_for_contractor
from portal.celery import app as celery_app
from projects.selectors import work_dashboard_for_contractor

logger = logging.getLogger(__name__)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send each visitor to where they stand: sign up, apply, onboard or work."""
    if not request.user.is_authenticated:
        return render(request, "portal/landing.html")
    profile = contractor_for_user(request.user)
    if profile is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "portal/apply_cta.html")
    if profile.status == ContractorStatus.APPLICANT:
        return redirect("accounts:application_status")
    if profile.status == ContractorStatus.ONBOARDING:
        return redirect("accounts:onboarding")
    return render(
        request,
        "portal/dashboard.html",
        {
            "profile": profile,
            "application": application_latest_for_user(request.user),
            "work": work_dashboard_for_contractor(profile),
            "earnings": earnings_dashboard_for_contractor(profile),
        },
    )


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: database unreachable")
        return False
    return True


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception:
        logger.exception("Health check: broker unreachable")
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    database = "ok" if _database_ok() else "down"
    broker = _broker_state()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Switch the site's language; a signed-in person's choice is kept on their account.

    Django's ``set_language`` sets the cookie and redirects; storing the choice
    on the user as well makes it follow them to every device they sign in on.
    """
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_preferences_set(user=request.user, language=language)
    return set_language(request)
