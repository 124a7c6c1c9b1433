from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land in the admin; everybody else on their dashboard.
        if request.user.is_authenticated and request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)
