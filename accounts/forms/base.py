"""What every form of the accounts pages shares: error placement and the language select."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms.utils import pretty_name
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to a field when it names one."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def _with_blank(choices, label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


CHOOSE = _("Choose…")


def site_language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself, as settings.LANGUAGES gives them."""
    return list(settings.LANGUAGES)


class LanguageSelect(forms.Select):
    """A select of site languages; each option says which language its name is in."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value:
            option["attrs"]["lang"] = value
        return option


class PortalForm(forms.Form):
    """Marks optional fields in their label, so nobody has to guess from an asterisk."""

    mark_optional = True
    # Optional fields that still always send a value (a select without a blank
    # choice): calling them optional would only puzzle people.
    never_marked_optional: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if self.mark_optional:
            for name, field in self.fields.items():
                if field.required or isinstance(field, forms.BooleanField):
                    continue
                if name in self.never_marked_optional:
                    continue
                field.label = gettext("%(label)s (optional)") % {
                    "label": field.label or pretty_name(name)
                }


# --- Applying ----------------------------------------------------------------------
