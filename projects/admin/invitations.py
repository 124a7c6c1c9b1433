"""Invitations: the managers' invite action on projects, and the record of every answer."""

from functools import partial

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ContractorProfile, User
from portal.admin_kit import ReadOnlyAdminMixin, ReadOnlyInline, form_action, money, run_each
from projects import forms, services
from projects.models import Project, ProjectInvitation
from projects.selectors.about import contractors_invitable


class InvitationInline(ReadOnlyInline):
    model = ProjectInvitation
    fk_name = "project"
    fields = ["contractor", "status", "offered", "invited_by", "invited_at", "answered_at"]
    readonly_fields = fields
    verbose_name = _("invitation")
    verbose_name_plural = _("invitations (a decline is never held against anyone)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProjectInvitation]:
        return super().get_queryset(request).select_related("contractor", "invited_by")

    @admin.display(description=_("rate offered"))
    def offered(self, obj: ProjectInvitation) -> str:
        return money(obj.rate_minor, obj.currency)


@admin.register(ProjectInvitation)
class ProjectInvitationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "contractor", "status", "offered", "invited_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["project", "contractor"]
    search_fields = ["project__name", "contractor__legal_name", "contractor__user__email"]
    date_hierarchy = "invited_at"
    fields = [
        "project",
        "contractor",
        "status",
        "offered",
        "invited_by",
        "invited_at",
        "answered_at",
        "warning_read",
        "assignment",
    ]
    readonly_fields = fields

    @admin.display(description=_("rate offered"))
    def offered(self, obj: ProjectInvitation) -> str:
        return money(obj.rate_minor, obj.currency)


class InviteActionMixin(admin.ModelAdmin):
    """The project list's "Invite contractors" action; the way onto a project with a content
    warning, and open to any project."""

    def has_invite_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("projects.add_assignment")

    @admin.action(
        description=_("Invite contractors to the selected project…"), permissions=["invite"]
    )
    def invite_contractors(
        self, request: HttpRequest, queryset: QuerySet[Project]
    ) -> TemplateResponse | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Select exactly one project to invite to."), messages.ERROR
            )
            return None
        project = queryset.get()
        candidates = contractors_invitable(project)
        if not candidates.exists():
            self.message_user(
                request,
                gettext(
                    "Nobody can be invited to «%(project)s»: every contractor who speaks its "
                    "languages and covers its expertise is on it or invited already."
                )
                % {"project": project},
                messages.WARNING,
            )
            return None

        def invite_each(form: forms.InviteContractorsForm) -> None:
            invite = partial(_invite, project=project, by=request.user, data=form.cleaned_data)
            run_each(self, request, form.cleaned_data["contractors"], call=invite, keep_form=True)

        return form_action(
            self,
            request,
            queryset,
            form=partial(forms.InviteContractorsForm, project=project, candidates=candidates),
            title=gettext("Invite contractors to «%(project)s»") % {"project": project},
            apply=invite_each,
        )


def _invite(profile: ContractorProfile, *, project: Project, by: User, data: dict) -> str:
    services.project_invite(
        project=project,
        contractor=profile,
        by=by,
        rate_minor=data["rate_minor"],
        currency=data["currency"],
    )
    return gettext("Invited %(contractor)s to «%(project)s».") % {
        "contractor": profile.legal_name,
        "project": project,
    }
