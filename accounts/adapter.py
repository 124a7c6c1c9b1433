from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land in the admin; everybody else on their dashboard.
        if request.user.is_authenticated and request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        """Create the user speaking the language they signed up in.

        The language chosen on the first visit (cookie or browser) then follows
        them to every device they sign in on.
        """
        language = translation.get_language()
        if language in dict(settings.LANGUAGES) and not user.language:
            user.language = language
        return super().save_user(request, user, form, commit=commit)
