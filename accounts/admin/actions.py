"""How the admin's actions call services: one object at a time, with a reason where
the decision needs one.
"""

from collections.abc import Callable, Iterable

from babel.lists import format_list
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.dates import babel_locale

REASON_TEMPLATE = "admin/reason_action.html"


def run_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    call: Callable[[Model], object],
    describe: Callable[[Model], str],
    done: Callable[[int], str] | str,
) -> None:
    """Call a service for each selected object and report what happened to each.

    Each service call is its own transaction, so one refusal (an application
    someone else already decided) leaves the others to go through.

    ``done`` gives the report's sentence for a count, with ``%(count)d`` and
    ``%(names)s`` in it: ``lambda n: ngettext("Approved %(count)d application:
    %(names)s.", "Approved %(count)d applications: %(names)s.", n)``. A plain
    (translated) verb such as ``gettext("Approved")`` still works and reads
    "Approved 2: …".
    """
    succeeded = []
    for obj in queryset:
        try:
            call(obj)
        except ValidationError as exc:
            modeladmin.message_user(
                request,
                _("%(object)s: %(errors)s")
                % {"object": describe(obj), "errors": " ".join(exc.messages)},
                messages.ERROR,
            )
        else:
            succeeded.append(describe(obj))
    if succeeded:
        values = {
            "count": len(succeeded),
            "names": format_list(succeeded, locale=babel_locale()),
        }
        if callable(done):
            report = done(len(succeeded)) % values
        else:
            report = _("%(done)s %(count)d: %(names)s.") % {"done": done, **values}
        modeladmin.message_user(request, report, messages.SUCCESS)


class ReasonForm(forms.Form):
    """The one reason a decision needs; the person it concerns reads it as written."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 60}), max_length=2000)

    def __init__(self, *args, label: str, help_text: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].help_text = help_text


def reason_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    title: str,
    label: str,
    help_text: str,
    describe: Callable[[Model], str],
    apply: Callable[[str], None],
) -> TemplateResponse | None:
    """Ask for a reason, then hand it to ``apply``; ``None`` returns to the changelist.

    The first POST comes from the changelist's action menu and shows the form;
    the form posts back to the changelist with ``apply`` set.
    """
    data = request.POST if "apply" in request.POST else None
    form = ReasonForm(data, label=label, help_text=help_text)
    if form.is_valid():
        apply(form.cleaned_data["reason"])
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        "action": request.POST.get("action", ""),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "selected": _describe_all(queryset, describe),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, REASON_TEMPLATE, context)


def _describe_all(queryset: Iterable[Model], describe: Callable[[Model], str]) -> list:
    return [(obj.pk, describe(obj)) for obj in queryset]
