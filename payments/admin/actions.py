"""How the payments actions ask for details: one form page, posted back to the changelist."""

from collections.abc import Callable

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Model, QuerySet
from django.forms import Form
from django.http import HttpRequest
from django.template.response import TemplateResponse

from portal.money import format_money

ACTION_TEMPLATE = "admin/action_form.html"


def action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    form: Form,
    title: str,
    describe: Callable[[Model], str],
) -> TemplateResponse:
    """The page that asks for what the action needs, listing what it applies to."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "selected": [(obj.pk, describe(obj)) for obj in queryset],
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, ACTION_TEMPLATE, context)


def submitted(request: HttpRequest) -> dict | None:
    """The action form's data once the manager sent it; ``None`` on the first visit."""
    return request.POST if "apply" in request.POST else None


def money(minor: int | None, currency: str) -> str:
    return format_money(minor, currency) if minor is not None and currency else "—"
