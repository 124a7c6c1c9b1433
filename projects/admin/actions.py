"""What every projects admin action shares: asking for details, applying per object."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.money import format_money

ACTION_TEMPLATE = "admin/action_form.html"


def errors_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def action_form(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    form: Callable[..., Form],
    title: str,
    description: Callable[[object], str] = str,
) -> tuple[dict | None, TemplateResponse | None]:
    """The details an action asks for: ``(cleaned_data, None)`` once the manager has sent a
    valid form, else ``(None, page)`` with the form to fill in (again, with its errors)."""
    bound = form(request.POST) if "apply" in request.POST else form()
    if "apply" in request.POST and bound.is_valid():
        return bound.cleaned_data, None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": bound,
        "selected": [(obj.pk, description(obj)) for obj in queryset],
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return None, TemplateResponse(request, ACTION_TEMPLATE, context)


def apply_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    apply: Callable[[object], str],
) -> None:
    """Call a service per selected object, each in its own transaction, reporting each result.

    A refusal (``ValidationError``) is shown against the object it concerns and
    the others still go ahead.
    """
    for obj in queryset:
        try:
            modeladmin.message_user(request, apply(obj), messages.SUCCESS)
        except ValidationError as exc:
            modeladmin.message_user(
                request,
                _("%(object)s: %(errors)s") % {"object": obj, "errors": errors_text(exc)},
                messages.ERROR,
            )


def money(minor: int | None, currency: str) -> str:
    return format_money(minor, currency) if minor is not None and currency else "—"
