"""Each person reads in their own language and time zone: pages, notices and emails."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from portal.dates import format_day, format_minutes, format_moment
from portal.models import Notification, OutboundEmail
from portal.notifications import Notice, notify
from projects import notices
from projects import services as project_services
from tests import factories
from tests.projects import factories as work
from tests.projects.conftest import clock  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


def _speaks(user: User, language: str, time_zone: str = "UTC") -> User:
    User.objects.filter(pk=user.pk).update(language=language, time_zone=time_zone)
    return User.objects.get(pk=user.pk)


def test_a_pause_tells_each_assignee_in_their_own_language(clock, manager):  # noqa: F811
    people = {
        "en": "ann@example.com",
        "id": "budi@example.com",
        "vi": "chi@example.com",
        "zh-hant": "dai@example.com",
    }
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager, name="Rater pool")
        for language, email in people.items():
            user = factories.contractor_create(email, by=manager)
            _speaks(user, language, "Asia/Jakarta")
            work.assign(project, user, by=manager)
    with translation.override("en"):
        change = project_services.project_pause(
            project=project,
            by=manager,
            reason="budget",
            message="Budget review.",
            short_notice_confirmed=True,
        )
    expected_titles = {}
    for language in people:
        with translation.override(language):
            expected_titles[language] = translation.gettext("«%(project)s» is paused") % {
                "project": "Rater pool"
            }
    for language, email in people.items():
        notice = Notification.objects.get(topic=change.topic, recipient__email=email)
        assert notice.title == expected_titles[language]
        assert notice.language == language
        email_row = OutboundEmail.objects.get(topic=change.topic, to=email)
        assert expected_titles[language] in email_row.body
        assert "Budget review." in email_row.body  # what the manager typed, as written
    assert len(set(expected_titles.values())) == 4


def test_a_fan_out_writes_the_text_once_per_language_and_zone_not_per_person(
    clock,  # noqa: F811
    manager,
    monkeypatch,
):
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager, name="Big pool")
        for index in range(12):
            user = factories.contractor_create(f"p{index}@example.com", by=manager)
            _speaks(user, ["en", "id", "vi", "zh-hant"][index % 4], "Asia/Jakarta")
            work.assign(project, user, by=manager)
    written = []

    def counting_notify(**kwargs):
        inner = kwargs["notice"]

        def notice():
            written.append((translation.get_language(), timezone.get_current_timezone_name()))
            return inner()

        return notify(**{**kwargs, "notice": notice})

    monkeypatch.setattr(notices, "notify", counting_notify)
    told = project_services.project_pause(
        project=project, by=manager, reason="budget", message="x", short_notice_confirmed=True
    )
    assert Notification.objects.filter(topic=told.topic).count() == 12
    assert sorted(written) == [
        ("en", "Asia/Jakarta"),
        ("id", "Asia/Jakarta"),
        ("vi", "Asia/Jakarta"),
        ("zh-hant", "Asia/Jakarta"),
    ]


def test_times_are_shown_in_the_readers_zone_across_midnight():
    moment = datetime(2026, 11, 25, 23, 43, tzinfo=UTC)
    with translation.override("en"):
        with timezone.override("Asia/Jakarta"):
            jakarta = format_moment(moment)
            jakarta_day = format_day(moment)
        with timezone.override("America/Los_Angeles"):
            los_angeles = format_moment(moment)
            los_angeles_day = format_day(moment)
    assert "Nov 26, 2026" in jakarta and "6:43" in jakarta
    assert jakarta_day == "Nov 26, 2026"
    assert "Nov 25, 2026" in los_angeles and "3:43" in los_angeles
    assert los_angeles_day == "Nov 25, 2026"


def test_dates_follow_the_readers_language():
    day = datetime(2026, 11, 26, 12, tzinfo=UTC).date()
    shown = {}
    for language in ("en", "id", "vi", "zh-hant"):
        with translation.override(language):
            shown[language] = format_day(day, "full")
    assert shown["en"] == "Thursday, November 26, 2026"
    assert "Kamis" in shown["id"]
    assert "Thứ Năm" in shown["vi"]
    assert shown["zh-hant"].startswith("2026年11月26日")


def test_the_notifications_page_shows_times_in_the_readers_zone(client, clock, alice):  # noqa: F811
    moment = datetime(2026, 11, 25, 23, 43, tzinfo=UTC)
    clock.set(moment)
    # The field's default is the real clock's, so the moment is given, not left to it.
    Notification.objects.create(
        recipient=alice, kind="payout_paid", title="Paid", body="", language="en", created_at=moment
    )
    client.force_login(_speaks(alice, "en", "Asia/Jakarta"))
    jakarta = client.get(reverse("notifications:list")).content.decode()
    client.force_login(_speaks(alice, "en", "America/Los_Angeles"))
    los_angeles = client.get(reverse("notifications:list")).content.decode()
    assert "Nov 26, 2026" in jakarta and "Nov 25, 2026" not in jakarta
    assert "Nov 25, 2026" in los_angeles and "Nov 26, 2026" not in los_angeles


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [
        ("en", "Marked 1 notice as read.", "Marked 3 notices as read."),
        ("zh-hant", "已將 1 則通知標示為已讀。", "已將 3 則通知標示為已讀。"),
    ],
)
def test_counts_take_the_right_plural_form(client, alice, language, one, many):
    client.force_login(_speaks(alice, language))
    Notification.objects.filter(recipient=alice).update(read_at=timezone.now())
    for count, expected in ((1, one), (3, many)):
        for _ in range(count):
            Notification.objects.create(recipient=alice, kind="payout_paid", title="t")
        response = client.post(reverse("notifications:read_all"), follow=True)
        assert expected in response.content.decode()


def test_durations_read_the_same_in_every_language():
    for language in ("en", "id", "vi", "zh-hant"):
        with translation.override(language):
            assert format_minutes(90) == "1:30"


def test_the_language_switch_is_kept_on_the_account(client, alice):
    client.force_login(alice)
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "vi"
    # Another device: no cookie, a browser asking for English; the account decides.
    other = client.__class__()
    other.force_login(alice)
    html = other.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="vi"' in html


def test_a_visitor_gets_the_language_their_browser_asks_for(client):
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="id,en;q=0.5").content
    assert 'lang="id"' in html.decode()
    response = client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hant"
    html = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'lang="zh-hant"' in html


def test_an_unknown_language_changes_nothing(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == ""


def test_readers_in_many_zones_of_one_language_share_one_write_when_the_text_names_no_time(
    clock,  # noqa: F811
    manager,
    django_assert_num_queries,
):
    zones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Berlin"]
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager, name="Zones")
        for index, zone in enumerate(zones):
            user = factories.contractor_create(f"z{index}@example.com", by=manager)
            _speaks(user, "id", zone)
            work.assign(project, user, by=manager)
    people = User.objects.filter(email__startswith="z")

    def resumed() -> Notice:
        return Notice(title=translation.gettext("Hours approved"), body="")

    # One read of the readers, then one INSERT of notices and one of emails for all four.
    with django_assert_num_queries(3):
        told = notify(recipients=people, kind="project_resumed", notice=resumed, topic="t:1")
    assert told == 4
    assert Notification.objects.filter(topic="t:1").values("title").distinct().count() == 1


def test_readers_in_different_zones_get_their_own_time_when_the_text_names_one(
    clock,  # noqa: F811
    manager,
):
    moment = datetime(2026, 11, 25, 23, 43, tzinfo=UTC)
    for index, zone in enumerate(["Asia/Jakarta", "America/Los_Angeles"]):
        _speaks(factories.user_create(f"t{index}@example.com"), "en", zone)
    people = User.objects.filter(email__startswith="t")
    notify(
        recipients=people,
        kind="project_pausing",
        notice=lambda: Notice(title=format_moment(moment), body=""),
        topic="t:2",
    )
    titles = dict(Notification.objects.filter(topic="t:2").values_list("recipient__email", "title"))
    assert "Nov 26, 2026" in titles["t0@example.com"]
    assert "Nov 25, 2026" in titles["t1@example.com"]
