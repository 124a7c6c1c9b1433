"""A person's notices (newest first, read one or all) and their email preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from portal.notifications import selectors, services
from portal.notifications.forms import EmailPreferencesForm

PAGE_SIZE = 20


@login_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(selectors.notification_list_for_user(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


def _is_local(request: HttpRequest, target: str) -> bool:
    return url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    return redirect(target if _is_local(request, target) else reverse("notifications:list"))


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_get_for_user(user=request.user, pk=pk)
    services.notification_mark_read(notification=notification, by=request.user)
    if "open" in request.POST and _is_local(request, notification.link):
        return redirect(notification.link)
    return _back(request)


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(by=request.user)
    messages.success(
        request,
        ngettext("Marked %(count)d notice as read.", "Marked %(count)d notices as read.", count)
        % {"count": count},
    )
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: HttpRequest) -> HttpResponse:
    choices = selectors.email_choices_for_user(request.user)
    form = EmailPreferencesForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_preferences_set(user=request.user, send_email=form.send_email())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your email preferences are saved."))
            return redirect("notifications:preferences")
    return render(request, "portal/email_preferences.html", {"form": form})
