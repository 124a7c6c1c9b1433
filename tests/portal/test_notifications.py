from accounts.models import User
from portal.models import (
    EmailPreference,
    EmailStatus,
    Notification,
    NotificationKind,
    OutboundEmail,
)
from portal.notifications import notify


def test_notify_writes_a_notice_per_recipient_and_queues_their_emails(
    alice, bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        count = notify(
            recipients=User.objects.filter(pk__in=[alice.pk, bob.pk]),
            kind=NotificationKind.PROJECT_PAUSED,
            title="Project paused",
            body="Quality review.",
            link="/projects/1/",
            topic="test:1",
        )
    assert count == 2
    assert set(Notification.objects.filter(topic="test:1").values_list("recipient", flat=True)) == {
        alice.pk,
        bob.pk,
    }
    assert OutboundEmail.objects.filter(topic="test:1", status=EmailStatus.SENT).count() == 2
    assert {m.to[0] for m in mailoutbox if m.subject == "Project paused"} == {
        alice.email,
        bob.email,
    }


def test_an_opt_out_stops_optional_emails_but_never_the_notice(alice, mailoutbox):
    OutboundEmail.objects.all().delete()
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.HOURS_APPROVED, send_email=False
    )
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.PROJECT_PAUSED, send_email=False
    )
    for kind in (NotificationKind.HOURS_APPROVED, NotificationKind.PROJECT_PAUSED):
        notify(recipients=User.objects.filter(pk=alice.pk), kind=kind, title=kind.label, body="")
    assert Notification.objects.filter(recipient=alice).count() == 2
    # Pause emails are mandatory whatever the preference says.
    assert list(OutboundEmail.objects.values_list("subject", flat=True)) == ["Project paused"]
