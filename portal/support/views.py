"""The asker's side of support (/help/); the public record (/transparency/) is portal.views'."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from portal.support import about, selectors, services
from portal.support.forms import AskForm, RateForm, ReopenForm, ReplyForm
from portal.support.models import Category, Conversation


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET"])
def help_index(request: HttpRequest) -> HttpResponse:
    conversations = [
        (conversation, selectors.clock_view(conversation, with_history=False))
        for conversation in selectors.conversation_list_for_user(request.user)[:50]
    ]
    return render(request, "support/index.html", {"conversations": conversations})


@login_required
@require_http_methods(["GET", "POST"])
def help_ask(request: HttpRequest) -> HttpResponse:
    initial = {}
    if request.GET.get("about"):
        initial["about"] = request.GET["about"]
    if request.GET.get("category") in Category.values:
        initial["category"] = request.GET["category"]
    form = AskForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        about_kind, about_id = form.about_reference()
        try:
            conversation = services.conversation_open(
                by=request.user,
                category=form.cleaned_data["category"],
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                about_kind=about_kind,
                about_id=about_id,
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your question is sent. The answer clock has started."))
            return redirect(conversation)
    return render(request, "support/ask.html", {"form": form, "targets": selectors.targets()})


def _conversation_page(request: HttpRequest, conversation: Conversation, **forms) -> HttpResponse:
    context = {
        "conversation": conversation,
        "thread": selectors.message_list(conversation),
        "clock": selectors.clock_view(conversation),
        "about": about.about_get_for_user(
            user=request.user, kind=conversation.about_kind, id=conversation.about_id or 0
        )
        if conversation.about_kind
        else None,
        "reopen_until": services.reopen_deadline(conversation),
        "can_reopen": services.can_reopen(conversation),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "rate_form": forms.get("rate_form")
        or RateForm(
            initial={"score": getattr(getattr(conversation, "rating", None), "score", None)}
        ),
    }
    return render(request, "support/conversation.html", context)


@login_required
@require_http_methods(["GET"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.conversation_get_for_user(user=request.user, pk=pk)
    return _conversation_page(request, found)


@login_required
@require_POST
def conversation_reply(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.conversation_reply(
                conversation=found,
                by=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your reply is sent."))
            return redirect(found)
    return _conversation_page(request, found, reply_form=form)


@login_required
@require_POST
def conversation_close(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.conversation_get_for_user(user=request.user, pk=pk)
    try:
        services.conversation_close(conversation=found, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The conversation is closed."))
    return redirect(found)


@login_required
@require_POST
def conversation_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = ReopenForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_reopen(
                conversation=found, by=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("The conversation is open again. The answer clock has started.")
            )
            return redirect(found)
    return _conversation_page(request, found, reopen_form=form)


@login_required
@require_POST
def conversation_rate(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.conversation_get_for_user(user=request.user, pk=pk)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.conversation_rate(
                conversation=found,
                by=request.user,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Thank you for rating the answer."))
            return redirect(found)
    return _conversation_page(request, found, rate_form=form)


@login_required
@require_http_methods(["GET"])
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.attachment_get_for_user(user=request.user, pk=pk)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.original_name,
        content_type=found.content_type,
    )


# --- Replies by email ---------------------------------------------------------------------

INBOUND_SECRET_HEADER = "X-Support-Inbound-Secret"  # noqa: S105 - a header's name


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> HttpResponse:
    """A mail webhook: the raw RFC 822 message in the body, the shared secret in a header.

    Exempt from CSRF because a mail service, not a browser, posts here; the secret
    is what proves who is calling. A refused reply still answers 200, since it
    was received and its sender has been told why; only a message that was not
    taken at all asks the mail service to try again (4xx/5xx).
    """
    secret = settings.SUPPORT_INBOUND_SECRET
    if not secret:
        raise Http404
    given = request.headers.get(INBOUND_SECRET_HEADER, "")
    if not constant_time_compare(given.encode(), secret.encode()):
        return JsonResponse({"detail": _("Missing or wrong secret.")}, status=403)
    limit = settings.SUPPORT_INBOUND_MAX_BYTES
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return JsonResponse({"detail": _("The message is too large.")}, status=413)
    # One byte past the limit is enough to tell a body that is too large.
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"detail": _("The message is too large.")}, status=413)
    if not raw.strip():
        return JsonResponse({"detail": _("The body must be a raw RFC 822 message.")}, status=400)
    record = services.support_reply_by_email(raw_message=raw)
    return JsonResponse(
        {"id": record.pk, "outcome": record.outcome, "refusal": record.refusal}, status=200
    )
