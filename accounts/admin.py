"""The vendor managers' admin: the application queue, contractors and onboarding.

Nothing here writes a status: every decision is an action that calls
``accounts.services``, which checks the transition and records the history.
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Count, Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django_countries.filters import CountryFilter

from accounts import selectors, services
from accounts.admin_forms import EmailUserChangeForm, EmailUserCreationForm, reason_action
from accounts.choices import language_name
from accounts.models import (
    AgreementAcceptance,
    AgreementVersion,
    ApiToken,
    Application,
    ApplicationStatusChange,
    ContractorProfile,
    ContractorStatusChange,
    ExpertiseArea,
    PayoutDetails,
    ProfileLanguage,
    TaxForm,
    User,
)


def run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    call: Callable[[Model], object],
    describe: Callable[[Model], str],
    done: str,
) -> None:
    """Call a service for each selected object and report what happened to each.

    Each service call is its own transaction, so one refusal (an application
    someone else already decided) leaves the others to go through.
    """
    succeeded = []
    for obj in queryset:
        try:
            call(obj)
        except ValidationError as exc:
            modeladmin.message_user(
                request, f"{describe(obj)}: {' '.join(exc.messages)}", messages.ERROR
            )
        else:
            succeeded.append(describe(obj))
    if succeeded:
        modeladmin.message_user(
            request, f"{done} {len(succeeded)}: {'; '.join(succeeded)}.", messages.SUCCESS
        )


class ReadOnlyAdminMixin:
    """No add, change or delete for anyone, superusers included.

    These records are evidence (history, filed forms) or change only through
    services.
    """

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False


# --- Applications ----------------------------------------------------------------


class LanguageFilter(admin.SimpleListFilter):
    title = "language"
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
    verbose_name_plural = "status history"
    fields = ("at", "by", "from_status", "to_status", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")


def languages_of(profile: ContractorProfile) -> str:
    return ", ".join(str(language) for language in profile.languages.all())


def expertise_of(profile: ContractorProfile) -> str:
    return ", ".join(area.name for area in profile.expertise.all())


def describe_application(application: Application) -> str:
    return f"#{application.pk} {application.profile.legal_name}"


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The application queue.

    What the applicant entered is the evidence for the decision, so nobody
    edits it here; the actions below are the only writes.
    """

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
            "Applicant",
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
        ("Application", {"fields": ("motivation", "resume_link", "submitted_at")}),
        ("Decision", {"fields": ("status", "reviewed_by", "decided_at", "decision_reason")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Application]:
        return selectors.application_list_for_reviewer()

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.review_application")

    @admin.display(description="legal name", ordering="profile__legal_name")
    def legal_name(self, obj: Application) -> str:
        return obj.profile.legal_name

    @admin.display(description="contractor")
    def contractor(self, obj: Application) -> str:
        url = reverse("admin:accounts_contractorprofile_change", args=[obj.profile_id])
        return format_html('<a href="{}">{}</a>', url, obj.profile.legal_name)

    @admin.display(description="display name")
    def display_name(self, obj: Application) -> str:
        return obj.profile.display_name

    @admin.display(description="email address", ordering="profile__user__email")
    def email(self, obj: Application) -> str:
        return obj.profile.user.email

    @admin.display(description="country", ordering="profile__country")
    def country(self, obj: Application) -> str:
        return obj.profile.country.name

    @admin.display(description="time zone")
    def time_zone(self, obj: Application) -> str:
        return obj.profile.time_zone

    @admin.display(description="languages")
    def languages(self, obj: Application) -> str:
        return languages_of(obj.profile)

    @admin.display(description="expertise")
    def expertise(self, obj: Application) -> str:
        return expertise_of(obj.profile)

    @admin.display(description="hours a week", ordering="profile__hours_per_week")
    def hours_per_week(self, obj: Application) -> int:
        return obj.profile.hours_per_week

    @admin.display(description="payout currency")
    def payout_currency(self, obj: Application) -> str:
        return obj.profile.payout_currency

    @admin.display(description="résumé")
    def resume_link(self, obj: Application) -> str:
        url = reverse("accounts:resume", kwargs={"pk": obj.pk})
        return format_html('<a href="{}">{}</a>', url, obj.resume_original_name or "résumé")

    def get_readonly_fields(self, request: HttpRequest, obj: Application | None = None) -> tuple:
        return tuple(name for _title, options in self.fieldsets for name in options["fields"])

    @admin.action(description="Start review of the selected applications", permissions=["review"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda application: services.application_start_review(
                application=application, by=request.user
            ),
            describe=describe_application,
            done="Review started for",
        )

    @admin.action(description="Approve the selected applications", permissions=["review"])
    def approve(self, request: HttpRequest, queryset: QuerySet[Application]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda application: services.application_approve(
                application=application, by=request.user
            ),
            describe=describe_application,
            done="Approved",
        )

    @admin.action(description="Reject the selected applications…", permissions=["review"])
    def reject(
        self, request: HttpRequest, queryset: QuerySet[Application]
    ) -> TemplateResponse | None:
        def apply(reason: str) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda application: services.application_reject(
                    application=application, by=request.user, reason=reason
                ),
                describe=describe_application,
                done="Rejected",
            )

        return reason_action(
            self,
            request,
            queryset,
            title="Reject applications",
            label="Reason for the rejection",
            help_text="The applicant reads this on their status page and in the email.",
            describe=describe_application,
            apply=apply,
        )


# --- Contractors -----------------------------------------------------------------


class ProfileLanguageInline(ReadOnlyInline):
    model = ProfileLanguage
    fields = ("language_name", "level")
    readonly_fields = fields

    @admin.display(description="language")
    def language_name(self, obj: ProfileLanguage) -> str:
        return language_name(obj.language)


class AgreementAcceptanceInline(ReadOnlyInline):
    model = AgreementAcceptance
    verbose_name_plural = "agreement acceptances"
    fields = ("agreement", "accepted_at", "ip_address", "user_agent")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("agreement")


class ContractorStatusChangeInline(ReadOnlyInline):
    model = ContractorStatusChange
    verbose_name_plural = "status history"
    fields = ("at", "by", "from_status", "to_status", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")


def describe_contractor(profile: ContractorProfile) -> str:
    return f"{profile.legal_name} <{profile.user.email}>"


@admin.register(ContractorProfile)
class ContractorProfileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Contractors and their onboarding.

    Profiles change through the contractor's own forms and the actions below,
    never by editing fields here.
    """

    list_display = (
        "legal_name",
        "email",
        "country",
        "status",
        "identity_verified",
        "checklist_progress",
    )
    list_filter = ("status", ("country", CountryFilter), "expertise")
    search_fields = ("legal_name", "display_name", "user__email")
    actions = ("verify_identity", "suspend", "reinstate", "offboard")
    inlines = (ProfileLanguageInline, AgreementAcceptanceInline, ContractorStatusChangeInline)
    fieldsets = (
        (
            "Contractor",
            {
                "fields": (
                    "legal_name",
                    "display_name",
                    "email",
                    "country",
                    "time_zone",
                    "hours_per_week",
                    "payout_currency",
                    "expertise_list",
                    "applications",
                )
            },
        ),
        ("Status", {"fields": ("status", "status_reason", "status_changed_at")}),
        (
            "Onboarding",
            {
                "fields": (
                    "checklist",
                    "identity_verified_at",
                    "identity_verified_by",
                    "tax_form_summary",
                    "masked_tax_id",
                    "tax_document",
                    "payout_summary",
                )
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[ContractorProfile]:
        return selectors.contractor_list_for_manager()

    def has_verify_identity_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.verify_identity")

    def has_change_status_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_contractor_status")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        return tuple(name for _title, options in self.fieldsets for name in options["fields"])

    @admin.display(description="email address", ordering="user__email")
    def email(self, obj: ContractorProfile) -> str:
        return obj.user.email

    @admin.display(description="expertise")
    def expertise_list(self, obj: ContractorProfile) -> str:
        return expertise_of(obj)

    @admin.display(description="applications")
    def applications(self, obj: ContractorProfile) -> str:
        url = reverse("admin:accounts_application_changelist") + f"?profile__id__exact={obj.pk}"
        return format_html('<a href="{}">Applications from {}</a>', url, obj.legal_name)

    @admin.display(description="identity verified", boolean=True, ordering="identity_verified_at")
    def identity_verified(self, obj: ContractorProfile) -> bool:
        return obj.identity_verified_at is not None

    @admin.display(description="onboarding steps done")
    def checklist_progress(self, obj: ContractorProfile) -> str:
        done, total = selectors.onboarding_progress(obj)
        return f"{done}/{total}"

    @admin.display(description="onboarding checklist")
    def checklist(self, obj: ContractorProfile) -> str:
        rows = (
            ("Done" if step.done else "Not done", step.title, step.detail)
            for step in selectors.onboarding_checklist(obj)
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}: {} — {}</li>", rows))

    @admin.display(description="tax form")
    def tax_form_summary(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        return str(tax_form) if tax_form else "Not filed"

    @admin.display(description="taxpayer identification number")
    def masked_tax_id(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        return tax_form.masked_tax_id if tax_form else ""

    @admin.display(description="signed tax document")
    def tax_document(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        if not (tax_form and tax_form.document):
            return "None uploaded"
        url = reverse("accounts:tax_document") + f"?profile={obj.pk}"
        return format_html('<a href="{}">Download the signed tax form</a>', url)

    @admin.display(description="payout details")
    def payout_summary(self, obj: ContractorProfile) -> str:
        payout = getattr(obj, "payout_details", None)
        if payout is None:
            return "Not given"
        return f"{payout.get_method_display()}, {payout.account_holder}, {payout.masked_account}"

    @admin.action(description="Mark identity verified", permissions=["verify_identity"])
    def verify_identity(self, request: HttpRequest, queryset: QuerySet[ContractorProfile]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda profile: services.identity_verify(profile=profile, by=request.user),
            describe=describe_contractor,
            done="Identity verified for",
        )

    def _status_action(
        self,
        request: HttpRequest,
        queryset: QuerySet[ContractorProfile],
        *,
        service: Callable[..., ContractorProfile],
        title: str,
        done: str,
    ) -> TemplateResponse | None:
        def apply(reason: str) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda profile: service(profile=profile, by=request.user, reason=reason),
                describe=describe_contractor,
                done=done,
            )

        return reason_action(
            self,
            request,
            queryset,
            title=title,
            label="Reason",
            help_text="The contractor reads this in the email and on their dashboard.",
            describe=describe_contractor,
            apply=apply,
        )

    @admin.action(description="Suspend the selected contractors…", permissions=["change_status"])
    def suspend(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._status_action(
            request,
            queryset,
            service=services.contractor_suspend,
            title="Suspend contractors",
            done="Suspended",
        )

    @admin.action(description="Reinstate the selected contractors…", permissions=["change_status"])
    def reinstate(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._status_action(
            request,
            queryset,
            service=services.contractor_reinstate,
            title="Reinstate contractors",
            done="Reinstated",
        )

    @admin.action(description="Offboard the selected contractors…", permissions=["change_status"])
    def offboard(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._status_action(
            request,
            queryset,
            service=services.contractor_offboard,
            title="Offboard contractors",
            done="Offboarded",
        )


# --- Agreements and reference data -------------------------------------------------


@admin.register(AgreementVersion)
class AgreementVersionAdmin(admin.ModelAdmin):
    list_display = ("version", "title", "published_at", "acceptance_count", "created_at")
    search_fields = ("version", "title")
    fields = ("version", "title", "body", "published_at", "created_at")
    readonly_fields = ("published_at", "created_at")
    actions = ("publish",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgreementVersion]:
        return super().get_queryset(request).annotate(acceptance_count=Count("acceptances"))

    @admin.action(description="Publish the selected version now", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[AgreementVersion]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda agreement: services.agreement_publish(agreement=agreement, by=request.user),
            describe=str,
            done="Published",
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The text people agreed to must stay the text they agreed to.
        if obj is not None and obj.acceptances.exists():
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description="acceptances", ordering="acceptance_count")
    def acceptance_count(self, obj: AgreementVersion) -> int:
        return obj.acceptance_count


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "agreement", "accepted_at", "ip_address")
    list_select_related = ("profile__user", "agreement")
    list_filter = ("agreement",)
    search_fields = ("profile__legal_name", "profile__user__email")
    date_hierarchy = "accepted_at"


@admin.register(ExpertiseArea)
class ExpertiseAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    search_fields = ("name",)


@admin.register(TaxForm)
class TaxFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "form_type", "masked_tax_id", "has_document", "certified_at")
    list_select_related = ("profile__user",)
    list_filter = ("form_type",)
    search_fields = ("profile__legal_name", "profile__user__email", "name_on_form")
    # The clear tax id and the stored file path are never rendered.
    fields = (
        "profile",
        "form_type",
        "name_on_form",
        "masked_tax_id",
        "address",
        "country_of_citizenship",
        "date_of_birth",
        "document_link",
        "certified_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="taxpayer identification number")
    def masked_tax_id(self, obj: TaxForm) -> str:
        return obj.masked_tax_id

    @admin.display(description="signed document", boolean=True)
    def has_document(self, obj: TaxForm) -> bool:
        return bool(obj.document)

    @admin.display(description="signed document")
    def document_link(self, obj: TaxForm) -> str:
        if not obj.document:
            return "None uploaded"
        url = reverse("accounts:tax_document") + f"?profile={obj.profile_id}"
        return format_html('<a href="{}">Download the signed tax form</a>', url)


@admin.register(PayoutDetails)
class PayoutDetailsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("profile", "method", "account_holder", "masked_account", "updated_at")
    list_select_related = ("profile__user",)
    list_filter = ("method",)
    search_fields = ("profile__legal_name", "profile__user__email", "account_holder")
    fields = ("profile", "method", "account_holder", "masked_account", "updated_at")
    readonly_fields = fields

    @admin.display(description="account")
    def masked_account(self, obj: PayoutDetails) -> str:
        return obj.masked_account


# --- Status history ----------------------------------------------------------------


class StatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_filter = ("to_status", "at")
    date_hierarchy = "at"


@admin.register(ContractorStatusChange)
class ContractorStatusChangeAdmin(StatusChangeAdmin):
    list_display = ("at", "profile", "from_status", "to_status", "by", "reason")
    list_select_related = ("profile__user", "by")
    search_fields = ("profile__legal_name", "profile__user__email")


@admin.register(ApplicationStatusChange)
class ApplicationStatusChangeAdmin(StatusChangeAdmin):
    list_display = ("at", "application", "applicant", "from_status", "to_status", "by", "reason")
    list_select_related = ("application__profile", "by")
    search_fields = ("application__profile__legal_name", "application__profile__user__email")

    @admin.display(description="applicant", ordering="application__profile__legal_name")
    def applicant(self, obj: ApplicationStatusChange) -> str:
        return obj.application.profile.legal_name


# --- Users and API tokens -----------------------------------------------------------


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email",)
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__email")
    # key_hash is left out: even a hash of a key is nobody's business here.
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("accounts.change_apitoken")

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda token: services.api_token_revoke(token=token, by=request.user),
            describe=str,
            done="Revoked",
        )
