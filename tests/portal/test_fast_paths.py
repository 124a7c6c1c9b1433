"""What the pages' shortcuts must not change: labels in the reader's language, the header's
links by role, and sessions kept where every web process can read them."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import ContractorProfile, ContractorStatus
from payments.models import PayoutStatus
from portal.models import Notification, NotificationKind
from projects.models import EntryKind
from tests.portal.test_pages import nav, page
from tests.portal.test_settings import production_env, run

pytestmark = pytest.mark.django_db


def test_choice_labels_are_read_in_the_readers_language_each_time(alice):
    notice = Notification(recipient=alice, kind=NotificationKind.PROJECT_PAUSED, title="t")
    with translation.override("en"):
        english = notice.get_kind_display()
    with translation.override("id"):
        indonesian = notice.get_kind_display()
    with translation.override("en"):
        again = notice.get_kind_display()
    assert english == again == str(NotificationKind.PROJECT_PAUSED.label)
    assert indonesian != english


def test_a_value_without_a_choice_shows_as_it_is(alice):
    notice = Notification(recipient=alice, kind="no_such_kind", title="t")
    assert notice.get_kind_display() == "no_such_kind"


def test_each_model_keeps_its_own_fields_labels():
    from payments.models import Payout, PayoutLine

    assert Payout(status=PayoutStatus.PAID).get_status_display() == PayoutStatus.PAID.label
    line = PayoutLine(kind=EntryKind.TRAINING)
    assert line.get_kind_display() == EntryKind.TRAINING.label


def test_the_main_links_show_twice_with_the_current_page_marked_in_both(client, alice):
    client.force_login(alice)
    links = nav(page(client.get(reverse("projects:my_projects"))))
    assert links.count(f'href="{reverse("projects:my_projects")}" aria-current="page"') == 2
    assert links.count(f'href="{reverse("payments:earnings")}"') == 2
    assert 'href="/" aria-current' not in links


def test_someone_onboarding_gets_their_timesheet_and_earnings_but_no_tokens(client, alice):
    ContractorProfile.objects.filter(user=alice).update(status=ContractorStatus.ONBOARDING)
    client.force_login(alice)
    links = nav(page(client.get(reverse("accounts:onboarding"))))
    for name in ("accounts:onboarding", "projects:timesheet", "payments:earnings"):
        assert f'href="{reverse(name)}"' in links
    assert f'href="{reverse("projects:my_projects")}"' not in links
    assert reverse("accounts:api_tokens") not in links


def test_payroll_export_is_in_the_header_only_for_staff_who_may_export(client, manager, accountant):
    client.force_login(manager)
    assert reverse("payments:payroll") not in nav(page(client.get(reverse("accounts:api_tokens"))))
    client.force_login(accountant)
    assert reverse("payments:payroll") in nav(page(client.get(reverse("accounts:api_tokens"))))


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("redis://127.0.0.1:6379/9", "django.contrib.sessions.backends.cached_db"),
        (None, "django.contrib.sessions.backends.db"),
    ],
)
def test_sessions_are_cached_only_in_a_cache_every_process_shares(cache_url, engine):
    done = run(
        ["-c", "from django.conf import settings as s; print(s.SESSION_ENGINE)"],
        production_env(CACHE_URL=cache_url),
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == engine
