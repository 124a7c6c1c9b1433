"""Wage floors: added, never edited; the stale ones and the announced rises, for review."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import money
from projects.models import WageFloor
from projects.models.floors import amount_per_unit
from projects.selectors.floors import (
    FloorBook,
    assignments_below_announced_floor,
    wage_floors_announced,
    wage_floors_stale,
)
from projects.services.floors import wage_floor_add


class ReviewFilter(admin.SimpleListFilter):
    title = _("needs review")
    parameter_name = "review"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("stale", _("Stale (not checked for 13 months)")),
            ("announced", _("Announced for a future date")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[WageFloor]) -> QuerySet[WageFloor]:
        today = timezone.localdate()
        if self.value() == "stale":
            return queryset.filter(pk__in=wage_floors_stale(today=today).values("pk"))
        if self.value() == "announced":
            return queryset.filter(pk__in=wage_floors_announced(today=today).values("pk"))
        return queryset


@admin.register(WageFloor)
class WageFloorAdmin(admin.ModelAdmin):
    """Floors are evidence of what the law or the policy said on a day: add a new row
    from its date to change a figure; nothing is edited or deleted."""

    list_display = (
        "place",
        "basis",
        "amount",
        "per_hour",
        "valid_from",
        "valid_to",
        "source",
        "retrieved_on",
    )
    list_filter = (ReviewFilter, "basis", "valid_from")
    search_fields = ("country", "subdivision", "subdivision_name", "source_name")
    date_hierarchy = "valid_from"
    fields = (
        "country",
        "subdivision",
        "subdivision_name",
        "basis",
        "amount_minor",
        "currency",
        "unit",
        "hours_per_unit",
        "valid_from",
        "valid_to",
        "source_name",
        "source_url",
        "licence",
        "retrieved_on",
        "note",
    )
    change_list_template = "admin/projects/wagefloor/change_list.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_change_permission(self, request: HttpRequest, obj: WageFloor | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WageFloor | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: WageFloor, form, change: bool) -> None:
        wage_floor_add(by=request.user, floor=obj)

    @admin.display(description=_("place"), ordering="country")
    def place(self, obj: WageFloor) -> str:
        return obj.place_label

    @admin.display(description=_("amount"))
    def amount(self, obj: WageFloor) -> str:
        return amount_per_unit(money(obj.amount_minor, obj.currency), obj.unit)

    @admin.display(description=_("per hour"))
    def per_hour(self, obj: WageFloor) -> str:
        return money(obj.hourly_minor, obj.currency)

    @admin.display(description=_("source"))
    def source(self, obj: WageFloor) -> str:
        return format_html('<a href="{}" rel="noopener">{}</a>', obj.source_url, obj.source_name)

    def get_urls(self) -> list:
        announced = path(
            "announced/",
            self.admin_site.admin_view(self.announced_view),
            name="projects_wagefloor_announced",
        )
        return [announced, *super().get_urls()]

    def announced_view(self, request: HttpRequest) -> HttpResponse:
        """Each floor that starts later, with the active assignments that will pay less."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        today = timezone.localdate()
        book = None
        rows = []
        try:
            book = FloorBook.load()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        for floor in wage_floors_announced(today=today):
            below = assignments_below_announced_floor(floor, book=book) if book else []
            rows.append((floor, below))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Announced wage floors and the rates below them"),
            "rows": rows,
        }
        return TemplateResponse(request, "admin/projects/wagefloor/announced.html", context)
