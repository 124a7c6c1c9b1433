"""The application queue: vendor managers start reviews, approve and reject."""

from functools import partial

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from accounts import selectors, services
from accounts.admin.contractors import expertise_of, languages_of
from accounts.admin.decisions import APPLICATION_BUTTONS, application_buttons
from accounts.choices import language_name
from accounts.models import Application, ApplicationStatusChange, ProfileLanguage
from portal.admin_kit import (
    ObjectActionsMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ReasonForm,
    form_action,
    run_each,
)


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        codes = ProfileLanguage.objects.order_by().values_list("language", flat=True).distinct()
        return sorted(((code, language_name(code)) for code in codes), key=lambda pair: pair[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(profile__languages__language=self.value())
        return queryset


class ApplicationStatusChangeInline(ReadOnlyInline):
    model = ApplicationStatusChange
    verbose_name_plural = _("status history")
    fields = ("at", "by", "from_status", "to_status", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")


def describe_application(application: Application) -> str:
    return f"#{application.pk} {application.profile.legal_name}"


@admin.register(Application)
class ApplicationAdmin(ObjectActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The application queue.

    What the applicant entered is the evidence for the decision, so nobody
    edits it here; the actions below (in the list, and as buttons on each
    application's page) are the only writes.
    """

    object_actions = APPLICATION_BUTTONS

    list_display = (
        "legal_name",
        "email",
        "country",
        "languages",
        "expertise",
        "hours_per_week",
        "status",
        "submitted_at",
        "reviewed_by",
        "resume_link",
    )
    list_display_links = ("legal_name",)
    list_filter = (
        "status",
        ("profile__country", CountryFilter),
        LanguageFilter,
        "profile__expertise",
        "submitted_at",
    )
    date_hierarchy = "submitted_at"
    search_fields = ("profile__legal_name", "profile__display_name", "profile__user__email")
    actions = ("start_review", "approve", "reject")
    inlines = (ApplicationStatusChangeInline,)
    # The model's own URL is the applicant's status page, which staff can't open.
    view_on_site = False
    fieldsets = (
        (
            _("Applicant"),
            {
                "fields": (
                    "contractor",
                    "display_name",
                    "email",
                    "country",
                    "time_zone",
                    "languages",
                    "expertise",
                    "hours_per_week",
                    "payout_currency",
                )
            },
        ),
        (_("Application"), {"fields": ("motivation", "resume_link", "submitted_at")}),
        (_("Decision"), {"fields": ("status", "reviewed_by", "decided_at", "decision_reason")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return selectors.application_list_for_reviewer()

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.review_application")

    def object_actions_for(self, request: HttpRequest, obj: Application) -> list[str]:
        allowed = set(super().object_actions_for(request, obj))
        return [name for name in application_buttons(obj) if name in allowed]

    @admin.display(description=_("legal name"), ordering="profile__legal_name")
    def legal_name(self, obj: Application) -> str:
        return obj.profile.legal_name

    @admin.display(description=_("contractor"))
    def contractor(self, obj: Application) -> str:
        url = reverse("admin:accounts_contractorprofile_change", args=[obj.profile_id])
        return format_html('<a href="{}">{}</a>', url, obj.profile.legal_name)

    @admin.display(description=_("display name"))
    def display_name(self, obj: Application) -> str:
        return obj.profile.display_name

    @admin.display(description=_("email address"), ordering="profile__user__email")
    def email(self, obj: Application) -> str:
        return obj.profile.user.email

    @admin.display(description=_("country"), ordering="profile__country")
    def country(self, obj: Application) -> str:
        return obj.profile.country.name

    @admin.display(description=_("time zone"))
    def time_zone(self, obj: Application) -> str:
        return obj.profile.time_zone

    @admin.display(description=_("languages"))
    def languages(self, obj: Application) -> str:
        return languages_of(obj.profile)

    @admin.display(description=_("expertise"))
    def expertise(self, obj: Application) -> str:
        return expertise_of(obj.profile)

    @admin.display(description=_("hours a week"), ordering="profile__hours_per_week")
    def hours_per_week(self, obj: Application) -> int:
        return obj.profile.hours_per_week

    @admin.display(description=_("payout currency"))
    def payout_currency(self, obj: Application) -> str:
        return obj.profile.payout_currency

    @admin.display(description=_("résumé"))
    def resume_link(self, obj: Application) -> str:
        url = reverse("accounts:resume", kwargs={"pk": obj.pk})
        return format_html(
            '<a href="{}">{}</a>', url, obj.resume_original_name or gettext("résumé")
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> tuple:
        return tuple(name for _title, options in self.fieldsets for name in options["fields"])

    @admin.action(
        description=_("Start review of the selected applications"), permissions=["review"]
    )
    def start_review(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda application: services.application_start_review(
                application=application, by=request.user
            ),
            describe=describe_application,
            done=lambda count: ngettext(
                "Review started for %(count)d application: %(names)s.",
                "Review started for %(count)d applications: %(names)s.",
                count,
            ),
        )

    @admin.action(description=_("Approve the selected applications"), permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda application: services.application_approve(
                application=application, by=request.user
            ),
            describe=describe_application,
            done=lambda count: ngettext(
                "Approved %(count)d application: %(names)s.",
                "Approved %(count)d applications: %(names)s.",
                count,
            ),
        )

    @admin.action(description=_("Reject the selected applications…"), permissions=["review"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[Application]
    ) -> TemplateResponse | None:
        def reject_each(form: ReasonForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda application: services.application_reject(
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                ),
                describe=describe_application,
                done=lambda count: ngettext(
                    "Rejected %(count)d application: %(names)s.",
                    "Rejected %(count)d applications: %(names)s.",
                    count,
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=partial(
                ReasonForm,
                label=gettext("Reason for the rejection"),
                help_text=gettext(
                    "The applicant reads this on their status page and in the email."
                ),
            ),
            title=gettext("Reject applications"),
            describe=describe_application,
            apply=reject_each,
        )
