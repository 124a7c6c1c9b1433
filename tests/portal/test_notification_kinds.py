"""Application and account decisions reach the person through notify(): a notice and an email."""

import pytest

from accounts import services
from accounts.models import Application, ContractorProfile
from portal.models import EmailPreference, Notification, NotificationKind, OutboundEmail
from tests import factories
from tests.sanctions import sanction_order

pytestmark = pytest.mark.django_db


def _latest(user) -> Notification:
    return Notification.objects.filter(recipient=user).latest("pk")


def test_an_approved_application_is_a_notice_and_the_templated_email(
    applicant, manager, outbox, django_capture_on_commit_callbacks
):
    application = Application.objects.get(profile__user=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(application=application, by=manager)

    notice = _latest(applicant)
    assert (notice.kind, notice.title, notice.link) == (
        NotificationKind.APPLICATION_DECIDED,
        "Your application has been approved",
        "/me/onboarding/",
    )
    (email,) = outbox
    assert email.subject == "Your application has been approved"
    assert email.body.startswith("Hello ")
    assert "/me/onboarding/" in email.body


def test_a_rejection_carries_the_reason_in_app_and_by_email(
    applicant, manager, outbox, django_capture_on_commit_callbacks
):
    application = Application.objects.get(profile__user=applicant)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, by=manager, reason="We need native Dutch speakers."
        )

    notice = _latest(applicant)
    assert notice.kind == NotificationKind.APPLICATION_DECIDED
    assert "We need native Dutch speakers." in notice.body
    assert notice.link == "/me/application/"
    assert "We need native Dutch speakers." in outbox[-1].body


@pytest.mark.parametrize(
    ("action", "subject"),
    [
        (services.contractor_suspend, "Your contractor account is suspended"),
        (services.contractor_offboard, "Your contractor account has been closed"),
    ],
)
def test_account_status_changes_are_always_emailed_with_the_reason(
    alice, manager, outbox, action, subject, django_capture_on_commit_callbacks
):
    # Even a stored opt-out (the site never offers one) can't silence this kind.
    EmailPreference.objects.create(
        user=alice, kind=NotificationKind.ACCOUNT_STATUS, send_email=False
    )
    profile = ContractorProfile.objects.get(user=alice)
    outcome = "suspension" if action is services.contractor_suspend else "offboarding"
    order = sanction_order(profile, by=manager, outcome=outcome)
    outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        action(profile=profile, by=manager, reason="Repeated guideline breaches.", case=order)

    notice = _latest(alice)
    assert (notice.kind, notice.title) == (NotificationKind.ACCOUNT_STATUS, subject)
    assert "Repeated guideline breaches." in notice.body
    assert [m.subject for m in outbox] == [subject]


def test_finishing_onboarding_is_announced(manager):
    user, application = factories.applicant_create("dora@example.com")
    services.application_approve(application=application, by=manager)
    factories.contractor_onboard(ContractorProfile.objects.get(user=user), by=manager)

    kinds = list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "title")
    )
    assert kinds == [
        (NotificationKind.APPLICATION_DECIDED, "Your application has been approved"),
        (NotificationKind.ACCOUNT_STATUS, "You are all set: your onboarding is complete"),
    ]
    assert OutboundEmail.objects.filter(to=user.email).count() == 2
