"""The admin's kit: the one way to write an admin action, and the read-only admin classes.

An action calls a service, never the ORM. ``run_each`` calls it for each
selected object, each call its own transaction, so one refusal leaves the
others to go through; ``run_once`` calls a service that takes the whole batch
and accepts or refuses it as one. Either way a refusal (a ``ValidationError``)
is reported with ``message_user(..., ERROR)``.

An action that needs a reason or other details asks for them first with
``form_action``, on the one intermediate page ``admin/action_form.html``,
which posts back to the changelist.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from babel.lists import format_list
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import (
    Http404,
    HttpRequest,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from portal.dates import babel_locale
from portal.jobs.models import Job
from portal.money import format_money

ACTION_TEMPLATE = "admin/action_form.html"

M = TypeVar("M", bound=Model)
F = TypeVar("F", bound=forms.Form)


# --- Columns ------------------------------------------------------------------------------


def money(minor: int | None, currency: str) -> str:
    """An amount for an admin column or message; a dash when there is none."""
    return format_money(minor, currency) if minor is not None and currency else "—"


def names_list(names: Iterable[str]) -> str:
    """Names joined as a sentence lists them in the reader's language ("a, b and c")."""
    return format_list(list(names), locale=babel_locale())


# --- Calling services ---------------------------------------------------------------------


def run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[M],
    *,
    call: Callable[[M], Any],
    describe: Callable[[M], str] = str,
    done: Callable[[int], str] | None = None,
    keep_form: bool = False,
) -> None:
    """Call a service for each object and report what happened to each.

    A refusal is reported as an error naming the object (``describe``); the
    other objects still go ahead. With ``done``, the successes are reported
    together in the sentence it gives for their count, with ``%(count)d`` and
    ``%(names)s`` in it (``lambda n: ngettext("Approved %(count)d
    application: %(names)s.", "Approved %(count)d applications: %(names)s.",
    n)``); without it, ``call`` returns the sentence reported for its object.

    With ``keep_form`` (inside a ``form_action``'s ``apply``), when every
    object is refused nothing is reported: the refusals are raised, so the
    form comes back with what was typed and each error next to its field.
    """
    succeeded: list[str] = []
    refusals: list[tuple[M, ValidationError]] = []
    passed = 0
    for obj in objects:
        try:
            result = call(obj)
        except ValidationError as exc:
            if keep_form:
                refusals.append((obj, exc))
            else:
                _report_refusal(modeladmin, request, exc, subject=describe(obj))
            continue
        passed += 1
        if done is None:
            modeladmin.message_user(request, result, messages.SUCCESS)
        else:
            succeeded.append(describe(obj))
    if done is not None and succeeded:
        values = {"count": len(succeeded), "names": names_list(succeeded)}
        modeladmin.message_user(request, done(len(succeeded)) % values, messages.SUCCESS)
    if keep_form and refusals and not passed:
        if len(refusals) == 1:
            raise refusals[0][1]
        raise ValidationError(
            [
                _("%(object)s: %(errors)s")
                % {"object": describe(obj), "errors": " ".join(exc.messages)}
                for obj, exc in refusals
            ]
        )
    for obj, exc in refusals:
        _report_refusal(modeladmin, request, exc, subject=describe(obj))


def run_once(
    modeladmin: admin.ModelAdmin, request: HttpRequest, *, call: Callable[[], str]
) -> None:
    """Call a service once, for a batch it accepts or refuses as a whole.

    ``call`` returns the sentence to report; a refusal is reported as an error.
    """
    try:
        report = call()
    except ValidationError as exc:
        _report_refusal(modeladmin, request, exc)
    else:
        modeladmin.message_user(request, report, messages.SUCCESS)


def _report_refusal(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    exc: ValidationError,
    *,
    subject: str | None = None,
) -> None:
    errors = " ".join(exc.messages)
    if subject is not None:
        errors = _("%(object)s: %(errors)s") % {"object": subject, "errors": errors}
    modeladmin.message_user(request, errors, messages.ERROR)


def run_in_background(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    *,
    starts: Iterable[Callable[[], Job]],
) -> HttpResponseRedirect | None:
    """Start background jobs (each ``start`` calls a service that returns its job) and go
    to the job's page, or to the list of jobs when there are several.

    A refusal is reported as an error and starts nothing for that call; starting
    work already queued or running returns that job, so a second click only
    shows it again.
    """
    jobs: list[Job] = []
    for start in starts:
        try:
            jobs.append(start())
        except ValidationError as exc:
            _report_refusal(modeladmin, request, exc)
    for job in jobs:
        modeladmin.message_user(
            request,
            _("%(job)s runs in the background; its page shows how far it got.") % {"job": job},
            messages.INFO,
        )
    if len(jobs) == 1:
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[jobs[0].pk]))
    if jobs:
        return HttpResponseRedirect(reverse("admin:jobs_job_changelist"))
    return None


# --- Asking for details first -------------------------------------------------------------


class ReasonForm(forms.Form):
    """The one reason a decision needs; the person it concerns reads it as written.

    ``partial(ReasonForm, label=..., help_text=...)`` makes the ``form`` of a
    ``form_action``.
    """

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 60}), max_length=2000)

    def __init__(self, *args: Any, label: str, help_text: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


def form_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[M],
    *,
    form: Callable[[QueryDict | None], F],
    title: str,
    apply: Callable[[F], object],
    describe: Callable[[M], str] = str,
) -> TemplateResponse | None:
    """Ask for what an action needs, then hand the valid form to ``apply``.

    The changelist's action menu posts first, which shows the form (``form``
    gets ``None``); the form posts back to the changelist with ``apply`` set.
    Invalid input shows the form again with each error next to its field,
    and nothing is applied. A ``ValidationError`` raised by ``apply`` is
    shown on the form the same way. ``None`` returns to the changelist.
    """
    bound = form(request.POST if "apply" in request.POST else None)
    if bound.is_valid():
        try:
            apply(bound)
        except ValidationError as exc:
            add_errors(bound, exc)
        else:
            return None
    return _action_page(modeladmin, request, objects, form=bound, title=title, describe=describe)


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the form: by field where the form has it, else on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _action_page(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    objects: Iterable[M],
    *,
    form: forms.Form,
    title: str,
    describe: Callable[[M], str],
) -> TemplateResponse:
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "selected": [(obj.pk, describe(obj)) for obj in objects],
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, ACTION_TEMPLATE, context)


# --- The same actions as buttons on an object's page --------------------------------------


class ObjectActionsMixin:
    """Offer some of the list's actions as buttons on each object's page.

    A button posts to ``<object>/act/<action>/``, which runs the very action
    the list runs, for that one object: same permissions, same services, same
    intermediate form (which posts back to the same address). When it is done,
    the object's page shows what happened.
    """

    # (action name, button label) pairs, in the order the buttons appear.
    object_actions: tuple[tuple[str, Any], ...] = ()
    change_form_template = "admin/object_actions_change_form.html"

    def object_actions_for(self, request: HttpRequest, obj: Model) -> list[str]:
        """The buttons worth showing for ``obj``: those the user may run, unless narrowed."""
        allowed = self.get_actions(request)  # type: ignore[attr-defined]
        return [name for name, _label in self.object_actions if name in allowed]

    def get_urls(self) -> list:
        opts = self.model._meta  # type: ignore[attr-defined]
        act = path(
            "<path:object_id>/act/<str:action>/",
            self.admin_site.admin_view(self.object_action_view),  # type: ignore[attr-defined]
            name=f"{opts.app_label}_{opts.model_name}_act",
        )
        return [act, *super().get_urls()]  # type: ignore[misc]

    def object_action_view(
        self, request: HttpRequest, object_id: str, action: str
    ) -> HttpResponseBase:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if obj is None:
            raise Http404
        if action not in self.object_actions_for(request, obj):
            raise PermissionDenied
        func = self.get_actions(request)[action][0]  # type: ignore[attr-defined]
        queryset = self.get_queryset(request).filter(pk=obj.pk)  # type: ignore[attr-defined]
        response = func(self, request, queryset)
        if response is not None:
            return response
        # A button on another object's page (an application's, on its contractor's)
        # brings the manager back there.
        back = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            opts = self.model._meta  # type: ignore[attr-defined]
            back = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        return HttpResponseRedirect(back)

    def extra_object_buttons(self, request: HttpRequest, obj: Model) -> list[tuple[str, Any, str]]:
        """Buttons for actions on related objects: ``(action, label, url)``."""
        return []

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict | None = None,
    ) -> HttpResponseBase:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        buttons = []
        if obj is not None:
            opts = self.model._meta  # type: ignore[attr-defined]
            labels = dict(self.object_actions)
            buttons = [
                (
                    name,
                    labels[name],
                    reverse(f"admin:{opts.app_label}_{opts.model_name}_act", args=[obj.pk, name]),
                )
                for name in self.object_actions_for(request, obj)
            ]
            buttons += self.extra_object_buttons(request, obj)
        context = {"object_actions": buttons, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=context)  # type: ignore[misc]


# --- Records nobody edits here ------------------------------------------------------------


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
