"""The rule book: drafting a version's rules in each language, publishing it with notice."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ConductRule, ConductRuleText, RuleBook
from accounts.services.rules import RULE_BOOK_NOTICE_DAYS, rule_book_publish
from portal.admin_kit import form_action, run_each


def _published(obj: RuleBook | ConductRule | None) -> bool:
    book = obj.book if isinstance(obj, ConductRule) else obj
    return book is not None and book.published_at is not None


class ConductRuleInline(admin.TabularInline):
    model = ConductRule
    fields = ["code", "severity", "category", "warning_first", "max_sanction"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request: HttpRequest, obj: RuleBook | None = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: RuleBook | None = None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RuleBook | None = None) -> bool:
        return False


class PublishForm(forms.Form):
    effective_at = forms.DateTimeField(
        label=_("Applies from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=_("At least %(days)d days from now; every contractor is told today.")
        % {"days": RULE_BOOK_NOTICE_DAYS},
    )


@admin.register(RuleBook)
class RuleBookAdmin(admin.ModelAdmin):
    list_display = ["version", "effective_at", "published_at", "published_by"]
    fields = ["version", "effective_at", "published_at", "published_by"]
    readonly_fields = ["effective_at", "published_at", "published_by"]
    inlines = [ConductRuleInline]
    actions = ["publish"]

    def has_change_permission(self, request: HttpRequest, obj: RuleBook | None = None) -> bool:
        # A published version is what cases cite: a change is a new version.
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: RuleBook | None = None) -> bool:
        return False

    def has_publish_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.publish_rulebook")

    @admin.action(description=_("Publish with notice…"), permissions=["publish"])
    def publish(
        self, request: HttpRequest, queryset: QuerySet[RuleBook]
    ) -> TemplateResponse | None:
        def apply(form: PublishForm) -> None:
            def publish_one(book: RuleBook) -> str:
                rule_book_publish(
                    book=book, by=request.user, effective_at=form.cleaned_data["effective_at"]
                )
                return gettext("Published %(book)s; contractors are told.") % {"book": book}

            run_each(self, request, queryset, call=publish_one)

        return form_action(
            self,
            request,
            queryset,
            form=PublishForm,
            title=gettext("Publish the rule book"),
            apply=apply,
        )


class ConductRuleTextInline(admin.StackedInline):
    model = ConductRuleText
    fields = ["language", "title", "text", "examples"]
    extra = 1

    def has_change_permission(self, request: HttpRequest, obj: ConductRule | None = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: ConductRule | None = None) -> bool:
        return not _published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ConductRule | None = None) -> bool:
        return not _published(obj) and super().has_delete_permission(request, obj)


@admin.register(ConductRule)
class ConductRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "book", "severity", "category", "warning_first", "max_sanction"]
    list_filter = ["book", "severity", "category"]
    list_select_related = ["book"]
    search_fields = ["code", "texts__title"]
    fields = ["book", "code", "severity", "category", "warning_first", "max_sanction"]
    inlines = [ConductRuleTextInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "book":
            kwargs["queryset"] = RuleBook.objects.filter(published_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: ConductRule | None = None) -> bool:
        return not _published(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ConductRule | None = None) -> bool:
        return False
