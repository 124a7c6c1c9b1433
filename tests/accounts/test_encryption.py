"""Tax ids and payout accounts are encrypted at rest, and still read after a key rotation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from accounts import services
from accounts.models import ContractorProfile, PayoutDetails, TaxForm
from tests import factories

pytestmark = pytest.mark.django_db

TAX_ID = "DE123456789"
ACCOUNT = "DE89370400440532013000"
ENCRYPTED = ((TaxForm, "tax_id"), (PayoutDetails, "account_identifier"))


def _raw(model, column: str, pk: int) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _forget_keys() -> None:
    # The fields derive their keys once per process; a test that changes them starts afresh.
    for model, name in ENCRYPTED:
        field = model._meta.get_field(name)
        field.__dict__.pop("keys", None)
        field.__dict__.pop("f", None)


@pytest.fixture
def use_keys(settings):
    def use(*keys: str) -> None:
        settings.SALT_KEY = list(keys)
        _forget_keys()

    yield use
    _forget_keys()


def _save_account(profile: ContractorProfile, identifier: str) -> PayoutDetails:
    return services.payout_details_save(
        profile=profile,
        method="bank_transfer",
        account_holder="Alice",
        account_identifier=identifier,
    )


def test_the_database_never_holds_the_clear_tax_id_or_account(alice):
    tax_form = TaxForm.objects.get(profile__user=alice)
    details = PayoutDetails.objects.get(profile__user=alice)

    raw_tax_id = _raw(TaxForm, "tax_id", tax_form.pk)
    raw_account = _raw(PayoutDetails, "account_identifier", details.pk)

    assert raw_tax_id and TAX_ID not in raw_tax_id
    assert raw_account and ACCOUNT not in raw_account
    assert tax_form.tax_id == TAX_ID
    assert details.account_identifier == ACCOUNT


def test_masked_display_is_unchanged(alice):
    tax_form = TaxForm.objects.get(profile__user=alice)
    details = PayoutDetails.objects.get(profile__user=alice)

    assert tax_form.masked_tax_id == "••••6789"
    assert details.masked_account == "••••3000"
    assert str(details) == "Bank transfer (IBAN or account number) ••••3000"
    # The copy SQL reads (the PostgreSQL payroll export) says the same.
    assert _raw(PayoutDetails, "account_masked", details.pk) == "••••3000"


def test_the_masked_copy_follows_a_changed_account(alice):
    profile = ContractorProfile.objects.get(user=alice)

    details = services.payout_details_save(
        profile=profile,
        method="paypal",
        account_holder="Alice",
        account_identifier="alice@paypal.example",
    )

    assert _raw(PayoutDetails, "account_masked", details.pk) == "••••mple"
    assert PayoutDetails.objects.get(pk=details.pk).masked_account == "••••mple"


def test_a_form_filed_without_a_tax_id_stores_it_blank(manager):
    _user, application = factories.applicant_create("dora@example.com")
    services.application_approve(application=application, by=manager)
    profile = ContractorProfile.objects.get(pk=application.profile_id)
    upload = SimpleUploadedFile("w8ben.pdf", factories.pdf_bytes())

    tax_form = services.tax_form_submit(profile=profile, fields={}, document=upload)

    assert _raw(TaxForm, "tax_id", tax_form.pk) == ""
    assert TaxForm.objects.get(pk=tax_form.pk).masked_tax_id == ""


def test_a_value_written_with_an_old_key_reads_after_rotation(alice, use_keys):
    profile = ContractorProfile.objects.get(user=alice)
    use_keys("old-key-0123456789abcdefghijklmnopqrstuvwxyz")
    details = _save_account(profile, ACCOUNT)
    written_with_old_key = _raw(PayoutDetails, "account_identifier", details.pk)

    use_keys("new-key-0123456789abcdefghijklmnopqrstuvwxyz")
    assert PayoutDetails.objects.get(pk=details.pk).account_identifier != ACCOUNT

    use_keys(
        "new-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "old-key-0123456789abcdefghijklmnopqrstuvwxyz",
    )
    rotated = PayoutDetails.objects.get(pk=details.pk)
    assert rotated.account_identifier == ACCOUNT
    assert rotated.masked_account == "••••3000"

    # Saved again, the row is written with the new key: the old one can go.
    _save_account(profile, ACCOUNT)
    assert _raw(PayoutDetails, "account_identifier", details.pk) != written_with_old_key
    use_keys("new-key-0123456789abcdefghijklmnopqrstuvwxyz")
    assert PayoutDetails.objects.get(pk=details.pk).account_identifier == ACCOUNT
