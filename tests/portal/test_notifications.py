"""notify(): a notice per person and their emails, written set-based in the caller's transaction."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from accounts.models import User
from portal.models import (
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from portal.notifications.services import (
    Notice,
    email_preferences_set,
    notification_mark_read,
    notifications_mark_all_read,
    notify,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_slate(alice, bob):
    """Onboarding alice and bob sent notices of its own; each test starts without them."""
    Notification.objects.all().delete()
    OutboundEmail.objects.all().delete()


def _users(*people: User):
    return User.objects.filter(pk__in=[person.pk for person in people])


def test_notify_writes_a_notice_per_recipient_and_queues_their_emails(
    alice, bob, outbox, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(
            recipients=_users(alice, bob),
            kind=NotificationKind.PROJECT_PAUSED,
            notice=lambda: Notice("Project paused", "Quality review."),
            link="/projects/1/",
            topic="test:1",
        )
    assert count == 2
    notices = Notification.objects.filter(topic="test:1")
    assert set(notices.values_list("recipient", flat=True)) == {alice.pk, bob.pk}
    notice = notices.get(recipient=alice)
    assert (notice.kind, notice.title, notice.body, notice.link, notice.read_at) == (
        NotificationKind.PROJECT_PAUSED,
        "Project paused",
        "Quality review.",
        "/projects/1/",
        None,
    )
    assert OutboundEmail.objects.filter(topic="test:1", status=EmailStatus.SENT).count() == 2
    assert {m.to[0] for m in outbox} == {alice.email, bob.email}
    assert outbox[0].subject == "Project paused"
    assert outbox[0].body == f"Quality review.\n\n{settings.SITE_URL}/projects/1/\n"


def test_the_email_can_say_more_than_the_notice(alice, outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=_users(alice),
            kind=NotificationKind.HOURS_APPROVED,
            notice=lambda: Notice(
                "Hours approved",
                "Short.",
                email_subject="Your hours were approved (3:00)",
                email_body="Hello Alice,\n\nThe long version.\n",
            ),
        )
    assert Notification.objects.get().body == "Short."
    assert [(m.subject, m.body) for m in outbox] == [
        ("Your hours were approved (3:00)", "Hello Alice,\n\nThe long version.\n")
    ]


def test_everyone_matched_twice_by_a_join_is_told_once(alice, bob, manager):
    # A recipients query that repeats a person (a join) still reaches each once.
    doubled = User.objects.filter(pk__in=[alice.pk, bob.pk]) | User.objects.filter(
        contractor_profile__languages__language__in=["de", "en"]
    )
    assert doubled.count() > 2

    assert (
        notify(
            recipients=doubled, kind=NotificationKind.PROJECT_CLOSED, notice=lambda: Notice("t", "")
        )
        == 2
    )

    assert Notification.objects.count() == 2
    assert OutboundEmail.objects.count() == 2


def test_nobody_to_tell_writes_nothing_and_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        count = notify(
            recipients=User.objects.none(),
            kind=NotificationKind.PROJECT_PAUSED,
            notice=lambda: Notice("Project paused", ""),
        )
    assert count == 0
    assert callbacks == []
    assert not Notification.objects.exists()


def test_notices_cost_the_same_queries_for_one_or_fifty_people(
    alice, manager, django_assert_num_queries
):
    many = [factories.user_create(f"person{n}@example.com") for n in range(50)]

    def tell(people):
        notify(
            recipients=_users(*people),
            kind=NotificationKind.PAYOUT_PAID,
            notice=lambda: Notice("t", ""),
        )

    # Who reads in which language and zone, then one INSERT … SELECT for the
    # notices and one for the emails per language and zone (here one).
    with django_assert_num_queries(3):
        tell([alice])
    with django_assert_num_queries(3):
        tell(many)
    assert Notification.objects.count() == 51
    assert OutboundEmail.objects.count() == 51


def test_an_opt_out_stops_optional_emails_but_never_the_notice(alice, bob):
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.HOURS_APPROVED, send_email=False
    )
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.PROJECT_PAUSED, send_email=False
    )
    for kind in (NotificationKind.HOURS_APPROVED, NotificationKind.PROJECT_PAUSED):
        notify(
            recipients=_users(alice, bob),
            kind=kind,
            notice=lambda kind=kind: Notice(str(kind.label), ""),
        )

    assert Notification.objects.filter(recipient=alice).count() == 2
    sent = sorted(OutboundEmail.objects.values_list("to", "subject"))
    # Pause emails are mandatory whatever the preference says; bob opted out of nothing.
    assert sent == [
        (alice.email, "Project paused"),
        (bob.email, "Hours approved"),
        (bob.email, "Project paused"),
    ]


def test_each_person_is_told_in_their_own_language_and_time_zone(alice, bob, outbox):
    User.objects.filter(pk=alice.pk).update(language="id", time_zone="Asia/Jakarta")
    User.objects.filter(pk=bob.pk).update(language="", time_zone="America/New_York")

    def notice() -> Notice:
        # What the text is written in: the reader's language and zone are active.
        return Notice(translation.get_language(), timezone.get_current_timezone_name())

    assert notify(recipients=_users(alice, bob), kind=NotificationKind.PAYOUT_PAID, notice=notice)

    told = {n.recipient_id: (n.title, n.body, n.written_in) for n in Notification.objects.all()}
    assert told == {
        alice.pk: ("id", "Asia/Jakarta", "id"),
        bob.pk: ("en", "America/New_York", "en"),
    }
    emails = dict(OutboundEmail.objects.values_list("to", "subject"))
    assert emails == {alice.email: "id", bob.email: "en"}


def test_nothing_is_recorded_when_the_transaction_rolls_back(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(
            recipients=_users(alice),
            kind=NotificationKind.PROJECT_PAUSED,
            notice=lambda: Notice("t", ""),
        )
        raise RuntimeError("the status change failed after notifying")

    assert not Notification.objects.exists()
    assert not OutboundEmail.objects.exists()


def test_an_unknown_kind_is_a_programming_error(alice):
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipients=_users(alice), kind="project_exploded", notice=lambda: Notice("t", ""))


# --- Reading ------------------------------------------------------------------------------


def _notice(user: User, title: str = "Hello") -> Notification:
    notify(
        recipients=_users(user), kind=NotificationKind.PAYOUT_PAID, notice=lambda: Notice(title, "")
    )
    return Notification.objects.filter(recipient=user).latest("pk")


def test_marking_read_is_for_the_recipient_only_and_happens_once(alice, bob):
    notice = _notice(alice)

    with pytest.raises(ValidationError):
        notification_mark_read(notification=notice, by=bob)
    assert Notification.objects.get(pk=notice.pk).read_at is None

    first = notification_mark_read(notification=notice, by=alice).read_at
    assert first is not None
    assert notification_mark_read(notification=notice, by=alice).read_at == first


def test_marking_all_read_touches_only_ones_own_unread_notices(alice, bob):
    for title in ("one", "two", "three"):
        _notice(alice, title)
    theirs = _notice(bob)

    assert notifications_mark_all_read(by=alice) == 3
    assert notifications_mark_all_read(by=alice) == 0
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# --- Email preferences ------------------------------------------------------------------


def test_optional_kinds_can_be_turned_off_and_on_again(alice):
    email_preferences_set(user=alice, send_email={NotificationKind.RATE_CHANGED: False})
    email_preferences_set(user=alice, send_email={NotificationKind.RATE_CHANGED: True})

    assert list(EmailPreference.objects.values_list("kind", "send_email")) == [
        (NotificationKind.RATE_CHANGED, True)
    ]


@pytest.mark.parametrize(
    "kind",
    [
        NotificationKind.PROJECT_PAUSING,
        NotificationKind.PROJECT_PAUSED,
        NotificationKind.PROJECT_CLOSED,
        NotificationKind.ASSIGNMENT_REMOVED,
    ],
)
def test_pause_close_and_removal_emails_cannot_be_turned_off(alice, kind):
    with pytest.raises(ValidationError, match="always sent"):
        email_preferences_set(user=alice, send_email={kind: False})
    assert not EmailPreference.objects.exists()


def test_an_unknown_kind_of_preference_is_refused(alice):
    with pytest.raises(ValidationError, match="Unknown kinds"):
        email_preferences_set(user=alice, send_email={"spam": False})
