from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "portal.support"
    label = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from portal.support import checks  # noqa: F401 - registers the deployment checks
