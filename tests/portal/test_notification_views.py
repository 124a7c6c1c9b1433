"""The bell on every page, the notifications page and the email preferences page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from portal.models import (
    MANDATORY_EMAIL_KINDS,
    STAFF_ONLY_KINDS,
    EmailPreference,
    Notification,
    NotificationKind,
)
from portal.notifications import Notice, notify

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
PREFERENCES = reverse("notifications:preferences")


@pytest.fixture(autouse=True)
def _clean_slate(alice, bob):
    """Onboarding alice and bob sent notices of its own; each test starts without them."""
    Notification.objects.all().delete()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def _tell(user: User, count: int = 1, *, link: str = "") -> None:
    """``count`` notices, each a minute newer than the last, titled "Notice 0" …"""
    start = timezone.now() - timedelta(hours=1)
    for number in range(count):
        notify(
            recipients=User.objects.filter(pk=user.pk),
            kind=NotificationKind.HOURS_APPROVED,
            notice=lambda number=number: Notice(f"Notice {number}", f"Body of notice {number}."),
            link=link,
        )
    notices = Notification.objects.filter(recipient=user).order_by("pk")
    for number, notice in enumerate(notices):
        notice.created_at = start + timedelta(minutes=number)
    Notification.objects.bulk_update(notices, ["created_at"])


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _titles(page: str) -> list[str]:
    return re.findall(r"(Notice \d+) </h2>", page)


def test_the_bell_shows_the_unread_count_in_words_for_screen_readers(alice_client, alice):
    _tell(alice, 3)

    for url in (reverse("home"), reverse("projects:my_projects"), LIST):
        page = _text(alice_client.get(url))
        assert "Notifications (3 unread)" in page
        assert '<span class="bell__count" aria-hidden="true">3</span>' in page


def test_the_bell_has_no_number_when_everything_is_read(alice_client, alice):
    page = _text(alice_client.get(reverse("home")))
    assert "Notifications (0 unread)" in page
    assert "bell__count" not in page


def test_the_bell_stops_counting_at_99_plus(alice_client, alice):
    _tell(alice, 1)
    notice = Notification.objects.get()
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=alice, kind=notice.kind, title=f"n{n}", created_at=notice.created_at
            )
            for n in range(120)
        ]
    )
    page = _text(alice_client.get(reverse("home")))
    assert '<span class="bell__count" aria-hidden="true">99+</span>' in page


def test_visitors_have_no_bell(client):
    assert 'class="bell"' not in client.get(reverse("home")).content.decode()


def test_pages_need_a_login(client):
    for url in (LIST, PREFERENCES):
        assert client.get(url)["Location"].startswith(reverse("account_login"))


def test_the_page_lists_newest_first_and_marks_the_unread(alice_client, alice):
    _tell(alice, 3)
    oldest = Notification.objects.get(title="Notice 0")
    oldest.read_at = timezone.now()
    oldest.save(update_fields=["read_at"])

    page = _text(alice_client.get(LIST))

    assert page.index("Notice 2") < page.index("Notice 1") < page.index("Notice 0")
    assert page.count("notice notice--unread") == 2
    assert page.count('<span class="visually-hidden">, unread:</span>') == 2
    assert "2 unread." in page


def test_the_page_is_paginated(alice_client, alice):
    _tell(alice, 25)

    first = _text(alice_client.get(LIST))
    second = _text(alice_client.get(f"{LIST}?page=2"))

    assert _titles(first) == [f"Notice {n}" for n in range(24, 4, -1)]
    assert "Page 1 of 2" in first
    assert _titles(second) == [f"Notice {n}" for n in range(4, -1, -1)]
    assert "Page 2 of 2" in second


def test_marking_one_read_needs_a_post_and_returns_to_the_page(alice_client, alice):
    _tell(alice, 2)
    notice = Notification.objects.get(title="Notice 1")
    url = reverse("notifications:read", args=[notice.pk])

    assert alice_client.get(url).status_code == 405
    response = alice_client.post(url, {"next": f"{LIST}?page=1"})

    assert response["Location"] == f"{LIST}?page=1"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert Notification.objects.get(title="Notice 0").read_at is None


def test_opening_a_notice_marks_it_read_and_follows_its_link(alice_client, alice):
    _tell(alice, 1, link=reverse("projects:my_projects"))
    notice = Notification.objects.get()

    response = alice_client.post(reverse("notifications:read", args=[notice.pk]), {"open": "1"})

    assert response["Location"] == reverse("projects:my_projects")
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_a_redirect_off_the_site_is_refused(alice_client, alice):
    _tell(alice, 1)
    notice = Notification.objects.get()

    response = alice_client.post(
        reverse("notifications:read", args=[notice.pk]), {"next": "https://evil.example/"}
    )

    assert response["Location"] == LIST


def test_marking_all_read(alice_client, alice, bob):
    _tell(alice, 3)
    _tell(bob, 1)

    response = alice_client.post(reverse("notifications:read_all"), follow=True)

    assert "Marked 3 notices as read." in _text(response)
    assert "Notifications (0 unread)" in _text(response)
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_another_persons_notice_is_404(alice_client, bob):
    _tell(bob, 1)
    notice = Notification.objects.get(recipient=bob)

    response = alice_client.post(reverse("notifications:read", args=[notice.pk]))

    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def _count_queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, sessions) first
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_bell_and_the_page_cost_the_same_queries_at_1_and_50_notices(alice_client, alice):
    _tell(alice, 1)
    home, page = _count_queries(alice_client, reverse("home")), _count_queries(alice_client, LIST)

    _tell(alice, 50)
    assert Notification.objects.filter(recipient=alice).count() == 51

    assert _count_queries(alice_client, reverse("home")) == home
    assert _count_queries(alice_client, LIST) == page
    assert page <= 12


# --- Email preferences ------------------------------------------------------------------


def test_the_preferences_page_shows_the_mandatory_kinds_as_always_on(alice_client):
    page = _text(alice_client.get(PREFERENCES))

    assert re.search(r'id="always-project_paused" checked disabled', page)
    assert re.search(r'id="always-assignment_removed" checked disabled', page)
    assert 'name="hours_approved"' in page
    assert 'name="project_paused"' not in page
    # Seven about projects (a content warning among them) and the account, one about a pay
    # period closing, seven about the rule book and cases, one about a change of payout details.
    assert page.count("Always sent") == 16
    assert re.search(r'id="always-project_content_warning" checked disabled', page)
    # Staff-only kinds are not offered to a contractor.
    assert 'name="support_escalated"' not in page


def test_turning_off_an_email_keeps_the_notice(alice_client, alice, outbox):
    # Every kind a contractor may switch off: not the mandatory ones, not the staff's.
    optional = [
        kind
        for kind in NotificationKind.values
        if kind not in MANDATORY_EMAIL_KINDS and kind not in STAFF_ONLY_KINDS
    ]
    assert "project_paused" not in optional and "case_notice" not in optional
    assert "support_escalated" not in optional and "hours_approved" in optional
    # Every box but "hours approved" stays ticked; the mandatory kinds can't be sent at all.
    data = {kind: "on" for kind in optional if kind != "hours_approved"}
    data["project_paused"] = ""

    response = alice_client.post(PREFERENCES, data, follow=True)

    assert "Your email preferences are saved." in _text(response)
    assert dict(EmailPreference.objects.values_list("kind", "send_email")) == {
        kind: kind != "hours_approved" for kind in optional
    }
    outbox.clear()
    _tell(alice, 1)
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert outbox == []
    page = _text(alice_client.get(PREFERENCES))
    assert 'name="hours_approved"' in page
    assert not re.search(r'name="hours_approved"[^>]*checked', page)
