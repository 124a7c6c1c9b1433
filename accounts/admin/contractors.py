"""Contractors and their onboarding: identity checks and status changes."""

from collections.abc import Callable
from functools import partial

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter

from accounts import selectors, services
from accounts.admin.decisions import CONTRACTOR_APPLICATION_BUTTONS, application_buttons
from accounts.choices import language_name
from accounts.models import (
    OPEN_APPLICATION_STATUSES,
    AgreementAcceptance,
    Application,
    ContractorProfile,
    ContractorStatusChange,
    ProfileLanguage,
)
from portal.admin_kit import (
    ObjectActionsMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ReasonForm,
    form_action,
    run_each,
)
from portal.admin_lists import EstimatedCountPaginator


def languages_of(profile: ContractorProfile) -> str:
    return ", ".join(str(language) for language in profile.languages.all())


def expertise_of(profile: ContractorProfile) -> str:
    return ", ".join(area.name for area in profile.expertise.all())


class ProfileLanguageInline(ReadOnlyInline):
    model = ProfileLanguage
    fields = ("language_name", "level")
    readonly_fields = fields

    @admin.display(description=_("language"))
    def language_name(self, obj: ProfileLanguage) -> str:
        return language_name(obj.language)


class AgreementAcceptanceInline(ReadOnlyInline):
    model = AgreementAcceptance
    verbose_name_plural = _("agreement acceptances")
    fields = ("agreement", "language", "accepted_at", "ip_address", "user_agent")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("agreement")


class ContractorStatusChangeInline(ReadOnlyInline):
    model = ContractorStatusChange
    verbose_name_plural = _("status history")
    fields = ("at", "by", "from_status", "to_status", "reason")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("by")


def describe_contractor(profile: ContractorProfile) -> str:
    return f"{profile.legal_name} <{profile.user.email}>"


@admin.register(ContractorProfile)
class ContractorProfileAdmin(ObjectActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Contractors and their onboarding.

    Profiles change through the contractor's own forms and the actions below,
    never by editing fields here. A contractor's page also offers the decision
    on their open application, which the application's own page would take.
    """

    object_actions = (("verify_identity", _("Mark identity verified")),)

    list_display = (
        "legal_name",
        "email",
        "country_name",
        "status",
        "identity_verified",
        "checklist_progress",
    )
    list_filter = ("status", ("country", CountryFilter), "expertise")
    search_fields = ("legal_name", "display_name", "user__email")
    # Ten thousand contractors: no second COUNT(*), and an estimated one unfiltered.
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Suspension and offboarding follow only a case decision: "open_case" starts one.
    actions = ("verify_identity", "open_case", "reinstate")
    inlines = (ProfileLanguageInline, AgreementAcceptanceInline, ContractorStatusChangeInline)
    fieldsets = (
        (
            _("Contractor"),
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
        (_("Status"), {"fields": ("status", "status_reason", "status_changed_at")}),
        (
            _("Onboarding"),
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

    def object_actions_for(self, request: HttpRequest, obj: ContractorProfile) -> list[str]:
        if obj.identity_verified_at is not None:
            return []
        return super().object_actions_for(request, obj)

    def extra_object_buttons(self, request: HttpRequest, obj: ContractorProfile) -> list:
        if not request.user.has_perm("accounts.review_application"):
            return []
        application = (
            Application.objects.filter(profile=obj, status__in=OPEN_APPLICATION_STATUSES)
            .order_by("-submitted_at", "-pk")
            .first()
        )
        if application is None:
            return []
        back = urlencode({"next": request.get_full_path()})
        return [
            (
                name,
                label,
                reverse("admin:accounts_application_act", args=[application.pk, name]) + f"?{back}",
            )
            for name, label in CONTRACTOR_APPLICATION_BUTTONS
            if name in application_buttons(application)
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple:
        return tuple(name for _title, options in self.fieldsets for name in options["fields"])

    # The field's own display flattens the list of every country for each row.
    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: ContractorProfile) -> str:
        return obj.country.name

    @admin.display(description=_("email address"), ordering="user__email")
    def email(self, obj: ContractorProfile) -> str:
        return obj.user.email

    @admin.display(description=_("expertise"))
    def expertise_list(self, obj: ContractorProfile) -> str:
        return expertise_of(obj)

    @admin.display(description=_("applications"))
    def applications(self, obj: ContractorProfile) -> str:
        url = reverse("admin:accounts_application_changelist") + f"?profile__id__exact={obj.pk}"
        return format_html(
            '<a href="{}">{}</a>',
            url,
            gettext("Applications from %(name)s") % {"name": obj.legal_name},
        )

    @admin.display(
        description=_("identity verified"), boolean=True, ordering="identity_verified_at"
    )
    def identity_verified(self, obj: ContractorProfile) -> bool:
        return obj.identity_verified_at is not None

    @admin.display(description=_("onboarding steps done"))
    def checklist_progress(self, obj: ContractorProfile) -> str:
        done, total = selectors.onboarding_progress(obj)
        return gettext("%(done)d/%(total)d") % {"done": done, "total": total}

    @admin.display(description=_("onboarding checklist"))
    def checklist(self, obj: ContractorProfile) -> str:
        rows = (
            (
                gettext("%(state)s: %(step)s — %(detail)s")
                % {
                    "state": gettext("Done") if step.done else gettext("Not done"),
                    "step": step.title,
                    "detail": step.detail,
                },
            )
            for step in selectors.onboarding_checklist(obj)
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", rows))

    @admin.display(description=_("tax form"))
    def tax_form_summary(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        return str(tax_form) if tax_form else gettext("Not filed")

    @admin.display(description=_("taxpayer identification number"))
    def masked_tax_id(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        return tax_form.masked_tax_id if tax_form else ""

    @admin.display(description=_("signed tax document"))
    def tax_document(self, obj: ContractorProfile) -> str:
        tax_form = getattr(obj, "tax_form", None)
        if not (tax_form and tax_form.document):
            return gettext("None uploaded")
        url = reverse("accounts:tax_document") + f"?profile={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("Download the signed tax form"))

    @admin.display(description=_("payout details"))
    def payout_summary(self, obj: ContractorProfile) -> str:
        payout = getattr(obj, "payout_details", None)
        if payout is None:
            return gettext("Not given")
        return gettext("%(method)s, %(holder)s, %(account)s") % {
            "method": payout.get_method_display(),
            "holder": payout.account_holder,
            "account": payout.masked_account,
        }

    @admin.action(description=_("Mark identity verified"), permissions=["verify_identity"])
    def verify_identity(self, request: HttpRequest, queryset: QuerySet[ContractorProfile]) -> None:
        run_each(
            self,
            request,
            queryset,
            call=lambda profile: services.identity_verify(profile=profile, by=request.user),
            describe=describe_contractor,
            done=lambda count: ngettext(
                "Identity verified for %(count)d contractor: %(names)s.",
                "Identity verified for %(count)d contractors: %(names)s.",
                count,
            ),
        )

    def _status_action(
        self,
        request: HttpRequest,
        queryset: QuerySet[ContractorProfile],
        *,
        service: Callable[..., ContractorProfile],
        title: str,
        done: Callable[[int], str],
    ) -> TemplateResponse | None:
        def change_each(form: ReasonForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda profile: service(
                    profile=profile, by=request.user, reason=form.cleaned_data["reason"]
                ),
                describe=describe_contractor,
                done=done,
            )

        return form_action(
            self,
            request,
            queryset,
            form=partial(
                ReasonForm,
                label=gettext("Reason"),
                help_text=gettext("The contractor reads this in the email and on their dashboard."),
            ),
            title=title,
            describe=describe_contractor,
            apply=change_each,
        )

    @admin.action(
        description=_("Open a case about the selected contractor (to warn, suspend or offboard)…"),
        permissions=["open_case"],
    )
    def open_case(self, request: HttpRequest, queryset: QuerySet) -> HttpResponseRedirect | None:
        profiles = list(queryset[:2])
        if len(profiles) != 1:
            self.message_user(
                request, gettext("Open a case about one contractor at a time."), messages.ERROR
            )
            return None
        url = reverse("admin:projects_case_add")
        return HttpResponseRedirect(f"{url}?{urlencode({'contractor': profiles[0].pk})}")

    def has_open_case_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.add_case")

    @admin.action(
        description=_("Reinstate the selected contractors…"), permissions=["change_status"]
    )
    def reinstate(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        return self._status_action(
            request,
            queryset,
            service=services.contractor_reinstate,
            title=gettext("Reinstate contractors"),
            done=lambda count: ngettext(
                "Reinstated %(count)d contractor: %(names)s.",
                "Reinstated %(count)d contractors: %(names)s.",
                count,
            ),
        )
