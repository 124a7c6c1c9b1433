"""A payout's failure reason and its adjustments' reasons keep the language they were written in."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from payments import services
from payments.models import AdjustmentKind, Payout
from tests.payments import factories

pytestmark = pytest.mark.django_db


def _note(reader: str, written_in: str) -> str:
    with translation.override(reader):
        language = str(translation.get_language_info(written_in)["name_translated"])
        return translation.gettext("Written in %(language)s.") % {"language": language}


def test_reasons_on_the_earnings_page_say_their_language(
    clock, client, alice, manager, alice_paid_week
):
    with translation.override("vi"):  # the manager's admin language
        bonus = services.AdjustmentDetails(AdjustmentKind.BONUS, 1000, "Làm thêm cuối tuần")
        services.payout_adjust(payout=alice_paid_week, by=manager, details=bonus)
        payout = factories.approve_payout(alice_paid_week, by=manager)
        services.payout_mark_failed(payout=payout, by=manager, reason="Ngân hàng từ chối.")
    assert Payout.objects.get(pk=payout.pk).written_in == "vi"
    assert payout.adjustments.get().written_in == "vi"

    User.objects.filter(pk=alice.pk).update(language="zh-hant")
    client.force_login(User.objects.get(pk=alice.pk))
    page = client.get(reverse("payments:earnings")).content.decode()
    # The earnings page lists payouts; a payout's own page has its lines and adjustments.
    detail = client.get(reverse("payments:payout", args=[payout.pk])).content.decode()

    assert '<span lang="vi">Ngân hàng từ chối.</span>' in page
    assert page.count(_note("zh-hant", "vi")) == 1
    assert '<span lang="vi">Làm thêm cuối tuần</span>' in detail
    assert _note("zh-hant", "vi") in detail


def test_a_retried_payout_forgets_the_language_of_its_old_reason(clock, manager, alice_paid_week):
    payout = factories.approve_payout(alice_paid_week, by=manager)
    services.payout_mark_failed(payout=payout, by=manager, reason="Bank refused.")
    services.payout_retry(payout=payout, by=manager)

    assert Payout.objects.values_list("failure_reason", "written_in").get(pk=payout.pk) == ("", "")
