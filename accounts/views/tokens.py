"""The contractor's API tokens: create one, see them, revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import ApiTokenForm, add_service_errors
from accounts.models import ApiToken
from accounts.views.http import is_post


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST if is_post(request) else None)
    created: tuple[ApiToken, str] | None = None
    if is_post(request) and form.is_valid():
        try:
            created = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Token created. Copy its key now: it is shown only once."))
            form = ApiTokenForm()
    # The new key is rendered into this response only: it is never stored in
    # clear, so a redirect would have nowhere to fetch it from.
    return render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "tokens": selectors.api_token_list_for_user(request.user),
            "new_token": created[0] if created else None,
            "new_key": created[1] if created else "",
        },
    )


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get_for_user(user=request.user, pk=pk)
    services.api_token_revoke(token=token, by=request.user)
    messages.success(
        request,
        _("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name},
    )
    return redirect("accounts:api_tokens")
