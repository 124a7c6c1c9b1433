"""Whether a payout account can be paid to: IBANs checked with schwifty, the rest for plausibility.

A typo in an account is found by the bank weeks later, as a failed payout;
checking the IBAN's digits and the shape of other identifiers here finds most
of them while the contractor is still at the form.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _
from schwifty import IBAN, registry
from schwifty.exceptions import (
    InvalidBBANChecksum,
    InvalidChecksumDigits,
    InvalidCountryCode,
    InvalidLength,
    SchwiftyException,
)

from accounts.models import PayoutMethod

# Account numbers where IBANs are not used: 6 to 20 digits (US, Indonesia,
# Viet Nam, Taiwan and most others fall in this range), with the spaces and
# dashes people copy from a statement left out.
_ACCOUNT_NUMBER = re.compile(r"\d{6,20}")
_IBAN_START = re.compile(r"[A-Z]{2}\d{2}")


def payout_account_clean(*, method: str, identifier: str, country: str = "") -> str:
    """The account as it is stored (an IBAN in its compact form), or a ``ValidationError``.

    ``country`` is the contractor's (ISO 3166): where banks use IBANs, a bank
    transfer needs one.
    """
    compact = "".join(identifier.split())
    if method == PayoutMethod.BANK_TRANSFER:
        return _bank_account(compact, country=country.upper())
    if method == PayoutMethod.PAYPAL:
        if not _is_email(compact):
            raise ValidationError(_("PayPal pays to an email address."), code="email")
        return compact
    # Wise and Payoneer pay to the account's email, or to its bank details.
    if _is_email(compact):
        return compact
    if _IBAN_START.match(compact.upper()) or _ACCOUNT_NUMBER.fullmatch(_digits_only(compact)):
        return _bank_account(compact, country="")
    raise ValidationError(
        _("Enter the email address of your %(provider)s account, or its account number or IBAN.")
        % {"provider": PayoutMethod(method).label},
        code="wallet",
    )


def _is_email(value: str) -> bool:
    try:
        EmailValidator()(value)
    except ValidationError:
        return False
    return True


def _digits_only(value: str) -> str:
    return value.replace("-", "").replace(".", "")


def _uses_iban(country: str) -> int | None:
    """The length of ``country``'s IBANs, if its banks use them."""
    try:
        spec = registry.get_iban_spec(country)
    except (InvalidCountryCode, KeyError, ValueError):
        return None
    return None if spec.aspirational else spec.iban_length


def _bank_account(compact: str, *, country: str) -> str:
    upper = compact.upper()
    if _IBAN_START.match(upper):
        return _iban(upper)
    length = _uses_iban(country) if country else None
    if length is not None:
        raise ValidationError(
            _(
                "Banks in your country use IBANs: enter yours. It has %(length)d characters "
                "and starts with %(code)s."
            )
            % {"length": length, "code": country},
            code="iban_needed",
        )
    number = _digits_only(compact)
    if not _ACCOUNT_NUMBER.fullmatch(number):
        raise ValidationError(
            _("Enter an IBAN, or the account number as your bank gives it: 6 to 20 digits."),
            code="account_number",
        )
    if len(set(number)) == 1:
        raise ValidationError(_("This is not a real account number."), code="account_number")
    return number


def _iban(value: str) -> str:
    try:
        return IBAN(value).compact
    except InvalidCountryCode:
        message = _("%(code)s is not the country code of an IBAN.") % {"code": value[:2]}
    except InvalidLength:
        length = _uses_iban(value[:2])
        message = _("An IBAN from %(code)s has %(length)d characters; this one has %(count)d.") % {
            "code": value[:2],
            "length": length or 0,
            "count": len(value),
        }
    except (InvalidChecksumDigits, InvalidBBANChecksum):
        message = _("The check digits of this IBAN do not match: look for a typo.")
    except SchwiftyException:
        message = _("This is not a valid IBAN: copy it from your bank statement.")
    raise ValidationError(message, code="iban")
