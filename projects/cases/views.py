"""A contractor's cases: the list, one case with its forms, and the case file to keep."""

import json
import math
from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.views.http import attachment
from portal.admin_site import require_mfa_for_staff
from projects.cases.downloads import case_file_name, detect_type
from projects.cases.file import case_file
from projects.cases.forms import AppealForm, ResponseForm
from projects.models import Case, CaseStatus
from projects.selectors.cases import (
    case_attachment_for_representative,
    case_attachment_get,
    case_evidence_file_for_representative,
    case_evidence_file_get,
    case_get_for_contractor,
    case_get_for_representative,
    case_list_for_contractor,
)
from projects.services import cases as services


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "projects/cases/list.html", {"cases": case_list_for_contractor(request.user)}
    )


def _days_left(due: datetime | None) -> int | None:
    """Whole days left, rounded up, for "3 days left to answer"; None when passed or unset."""
    if due is None or due <= timezone.now():
        return None
    return math.ceil((due - timezone.now()) / timedelta(days=1))


def _detail(request: HttpRequest, case: Case, **forms: object) -> HttpResponse:
    context = {
        "response_days_left": _days_left(case.response_due_at),
        "appeal_days_left": _days_left(case.appeal_due_at),
        "case": case,
        "rule_text": case.rule.text_in(get_language() or "en"),
        "can_respond": case.status in {CaseStatus.NOTICED, CaseStatus.RESPONDED},
        "can_appeal": case.status == CaseStatus.DECIDED,
        "response_form": forms.get("response_form") or ResponseForm(),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
    }
    return render(request, "projects/cases/detail.html", context)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, case_get_for_contractor(request.user, pk))


@login_required
@require_POST
def case_respond(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_contractor(request.user, pk)
    form = ResponseForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_respond(
                case=case,
                by=request.user,
                text=form.cleaned_data["text"],
                files=[f for f in [form.cleaned_data["files"]] if f],
                representative_name=form.cleaned_data["representative_name"],
                representative_email=form.cleaned_data["representative_email"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect(case)
    return _detail(request, case, response_form=form)


@login_required
@require_POST
def case_appeal(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_contractor(request.user, pk)
    form = AppealForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.case_appeal(
                case=case,
                by=request.user,
                text=form.cleaned_data["text"],
                files=[f for f in [form.cleaned_data["files"]] if f],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Your appeal is recorded; a different person will hear it.")
            )
            return redirect(case)
    return _detail(request, case, appeal_form=form)


@login_required
def case_print(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_contractor(request.user, pk)
    rule_text = case.rule.text_in(get_language() or "en")
    return render(request, "projects/cases/print.html", {"case": case, "rule_text": rule_text})


@login_required
def case_json(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_contractor(request.user, pk)
    response = HttpResponse(
        json.dumps(case_file(case, language=get_language() or "en"), indent=2, ensure_ascii=False),
        content_type="application/json",
    )
    response["Content-Disposition"] = f'attachment; filename="case-{case.pk}.json"'
    return response


def _download(file: FieldFile, *, fallback: str) -> FileResponse:
    content_type = detect_type(file)
    return attachment(
        file,
        filename=case_file_name(file, content_type, fallback=fallback),
        content_type=content_type,
    )


@login_required
@require_mfa_for_staff
@require_GET
def evidence_download(request: HttpRequest, pk: int, item: int) -> FileResponse:
    found = case_evidence_file_get(request.user, case_pk=pk, pk=item)
    return _download(found.file, fallback=_("evidence"))


@login_required
@require_mfa_for_staff
@require_GET
def attachment_download(request: HttpRequest, pk: int, item: int) -> FileResponse:
    found = case_attachment_get(request.user, case_pk=pk, pk=item)
    return _download(found.file, fallback=_("file"))


# --- The representative's read-only link ------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the address is the key: keep it out of search engines and referrers.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_GET
def shared_case(request: HttpRequest, token: str) -> HttpResponse:
    """The case as its contractor sees it, for the representative they named; read only."""
    case = case_get_for_representative(token)
    context = {
        "case": case,
        "token": token,
        "representative_view": True,
        "rule_text": case.rule.text_in(get_language() or "en"),
    }
    return _private(render(request, "projects/cases/shared.html", context))


@never_cache
@require_GET
def shared_evidence(request: HttpRequest, token: str, item: int) -> HttpResponse:
    case = case_get_for_representative(token)
    found = case_evidence_file_for_representative(case, item)
    return _private(_download(found.file, fallback=_("evidence")))


@never_cache
@require_GET
def shared_attachment(request: HttpRequest, token: str, item: int) -> HttpResponse:
    case = case_get_for_representative(token)
    found = case_attachment_for_representative(case, item)
    return _private(_download(found.file, fallback=_("file")))
