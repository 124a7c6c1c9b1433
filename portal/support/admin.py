"""The support queue: soonest due first, answered and assigned through actions."""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.admin_kit import (
    ObjectActionsMixin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    form_action,
    run_each,
)
from portal.dates import format_minutes
from portal.support import about, services
from portal.support.clock import BusinessCalendar
from portal.support.models import (
    CannedAnswer,
    ClockEvent,
    Conversation,
    ConversationStatus,
    InboundEmail,
    InternalNote,
    Message,
    Miss,
)


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ("created_at", "author_name", "from_staff", "body")
    readonly_fields = fields
    verbose_name_plural = _("messages")


class InternalNoteInline(ReadOnlyInline):
    model = InternalNote
    fields = ("created_at", "author", "body")
    readonly_fields = fields
    verbose_name_plural = _("internal notes (never shown to the asker)")

    def get_queryset(self, request: HttpRequest) -> QuerySet[InternalNote]:
        return super().get_queryset(request).select_related("author")


class ClockEventInline(ReadOnlyInline):
    model = ClockEvent
    fields = ("at", "kind", "answer_number", "due_at", "business_minutes", "by")
    readonly_fields = fields
    verbose_name_plural = _("clock history")

    def get_queryset(self, request: HttpRequest) -> QuerySet[ClockEvent]:
        return super().get_queryset(request).select_related("by")


class LanguageFilter(admin.SimpleListFilter):
    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return [(code, name) for code, name in settings.LANGUAGES]

    def queryset(self, request, queryset):
        return queryset.filter(language=self.value()) if self.value() else queryset


def _support_staff():
    return services.support_staff_for(Conversation(assignee=None)).order_by("email")


class AnswerForm(forms.Form):
    canned = forms.ModelChoiceField(
        label=_("Start from a canned answer"),
        queryset=CannedAnswer.objects.all(),
        required=False,
        help_text=_("Used when the answer below is left empty."),
    )
    body = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 70}),
        required=False,
        max_length=10000,
        help_text=_("The asker reads this as written, in the app and by email."),
    )

    def __init__(self, *args, languages: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["canned"].queryset = CannedAnswer.objects.filter(language__in=languages)

    def clean(self):
        data = super().clean()
        if not data.get("body") and data.get("canned"):
            data["body"] = data["canned"].body
        if not data.get("body"):
            self.add_error("body", gettext("Write an answer or choose a canned one."))
        return data


class AssignForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Assign to"), queryset=get_user_model().objects.none())
    shown_name = forms.CharField(
        label=_("Name the asker sees"),
        max_length=100,
        required=False,
        help_text=_("Leave empty to use the first part of their email address."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _support_staff()


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(attrs={"rows": 5, "cols": 70}),
        max_length=10000,
        help_text=_("Only staff read this."),
    )


def describe(conversation: Conversation) -> str:
    return f"{conversation} · {conversation.contractor.email}"


@admin.register(Conversation)
class ConversationAdmin(ObjectActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "time_left",
        "category",
        "status",
        "language",
        "assignee_name",
        "contractor",
        "opened_at",
    )
    list_filter = (
        "status",
        "category",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        LanguageFilter,
    )
    list_select_related = ("contractor", "assignee")
    search_fields = ("subject", "contractor__email")
    date_hierarchy = "opened_at"
    ordering = Conversation._meta.ordering
    list_per_page = 50
    # The conversation's page on the site is the asker's alone.
    view_on_site = False
    actions = ["answer", "assign", "add_note", "close"]
    # The same actions as buttons on a conversation's page: answer it from there.
    object_actions = (
        ("answer", _("Answer…")),
        ("assign", _("Assign…")),
        ("add_note", _("Add an internal note…")),
        ("close", _("Close")),
    )
    readonly_fields = (
        "subject",
        "contractor",
        "category",
        "language",
        "status",
        "about_link",
        "assignee",
        "assignee_name",
        "opened_at",
        "due_at",
        "time_left",
        "first_answer",
        "closed_at",
        "rating_given",
    )
    fields = readonly_fields
    inlines = [MessageInline, InternalNoteInline, ClockEventInline]

    def object_actions_for(self, request: HttpRequest, obj: Conversation) -> list[str]:
        names = super().object_actions_for(request, obj)
        if obj.is_closed:
            return [name for name in names if name not in ("answer", "close")]
        return names

    def has_answer_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(services.ANSWER_PERMISSION)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).select_related("contractor", "assignee")

    @admin.display(description=_("time left"), ordering="due_at")
    def time_left(self, obj: Conversation) -> str:
        if obj.due_at is None:
            return "—"
        now = timezone.now()
        if obj.due_at <= now:
            return gettext("overdue")
        minutes = BusinessCalendar.from_settings().business_minutes(now, obj.due_at)
        return gettext("%(hours)s business hours") % {"hours": format_minutes(minutes)}

    @admin.display(description=_("about"))
    def about_link(self, obj: Conversation) -> str:
        if not obj.about_kind:
            return "—"
        found = about.about_get_for_user(user=obj.contractor, kind=obj.about_kind, id=obj.about_id)
        if found is None:
            return obj.get_about_kind_display()
        return format_html('<a href="{}">{}</a>', found.admin_link, found.label)

    @admin.display(description=_("first answer"))
    def first_answer(self, obj: Conversation) -> str:
        if obj.first_answer_minutes is None:
            return "—"
        return gettext("%(took)s of %(target)s business hours") % {
            "took": format_minutes(obj.first_answer_minutes),
            "target": format_minutes(obj.first_target_minutes),
        }

    @admin.display(description=_("rating"))
    def rating_given(self, obj: Conversation) -> str:
        rating = getattr(obj, "rating", None)
        return f"{rating.score}/5 {rating.comment}".strip() if rating else "—"

    @admin.action(description=_("Answer the selected conversations…"), permissions=["answer"])
    def answer(
        self, request: HttpRequest, queryset: QuerySet[Conversation]
    ) -> TemplateResponse | None:
        languages = set(queryset.values_list("language", flat=True))

        def answer_each(form: AnswerForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda conversation: services.conversation_answer(
                    conversation=conversation, by=request.user, body=form.cleaned_data["body"]
                ),
                describe=describe,
                done=lambda n: ngettext(
                    "Answered %(count)d conversation: %(names)s.",
                    "Answered %(count)d conversations: %(names)s.",
                    n,
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=partial(AnswerForm, languages=languages),
            title=gettext("Answer"),
            describe=describe,
            apply=answer_each,
        )

    @admin.action(description=_("Assign the selected conversations…"), permissions=["answer"])
    def assign(
        self, request: HttpRequest, queryset: QuerySet[Conversation]
    ) -> TemplateResponse | None:
        def assign_each(form: AssignForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda conversation: services.conversation_assign(
                    conversation=conversation,
                    to=form.cleaned_data["to"],
                    by=request.user,
                    shown_name=form.cleaned_data["shown_name"],
                ),
                describe=describe,
                done=lambda n: ngettext(
                    "Assigned %(count)d conversation: %(names)s.",
                    "Assigned %(count)d conversations: %(names)s.",
                    n,
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=AssignForm,
            title=gettext("Assign"),
            describe=describe,
            apply=assign_each,
        )

    @admin.action(description=_("Add an internal note…"), permissions=["answer"])
    def add_note(
        self, request: HttpRequest, queryset: QuerySet[Conversation]
    ) -> TemplateResponse | None:
        def note_each(form: NoteForm) -> None:
            run_each(
                self,
                request,
                queryset,
                call=lambda conversation: services.conversation_note(
                    conversation=conversation, by=request.user, body=form.cleaned_data["body"]
                ),
                describe=describe,
                done=lambda n: ngettext(
                    "Noted on %(count)d conversation: %(names)s.",
                    "Noted on %(count)d conversations: %(names)s.",
                    n,
                ),
            )

        return form_action(
            self,
            request,
            queryset,
            form=NoteForm,
            title=gettext("Internal note"),
            describe=describe,
            apply=note_each,
        )

    @admin.action(description=_("Close the selected conversations"), permissions=["answer"])
    def close(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        run_each(
            self,
            request,
            queryset.exclude(status=ConversationStatus.CLOSED),
            call=lambda conversation: services.conversation_close(
                conversation=conversation, by=request.user
            ),
            describe=describe,
            done=lambda n: ngettext(
                "Closed %(count)d conversation: %(names)s.",
                "Closed %(count)d conversations: %(names)s.",
                n,
            ),
        )


@admin.register(Miss)
class MissAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("conversation", "answer_number", "category", "due_at", "recorded_at")
    list_filter = ("category",)
    list_select_related = ("conversation",)
    date_hierarchy = "due_at"


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "category")
    list_filter = ("language", "category")
    search_fields = ("title", "body")


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every email that reached the reply address: added, or refused with the sender told."""

    list_display = ("received_at", "sender", "subject", "outcome", "refusal", "conversation")
    list_filter = ("outcome", "refusal")
    list_select_related = ("conversation",)
    search_fields = ("sender", "subject", "message_id")
    date_hierarchy = "received_at"
    fields = (
        "received_at",
        "sender",
        "subject",
        "message_id",
        "outcome",
        "refusal",
        "conversation",
        "added_message",
        "told_sender",
        "body",
        "detail",
    )
    readonly_fields = fields
