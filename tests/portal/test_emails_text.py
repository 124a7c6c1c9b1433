"""Plain-text emails show names and typed text exactly as written: never HTML-escaped.

A text email is not HTML, so ``&lt;`` or ``&#x27;`` in one is a garbled name,
not a safety measure. Every kind of email the portal and allauth send is
triggered here with names and texts full of HTML's special characters.
"""

import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core import mail
from django.template.loader import get_template
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Application
from payments import services as payment_services
from portal.models import OutboundEmail
from projects import services as project_services
from tests import factories
from tests.payments import factories as pay
from tests.projects import factories as work
from tests.projects.conftest import clock  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

NAME = "Nadia <b> O'Brien"
PROJECT = 'Rock & "Roll" <i>'
REASON = 'Don\'t <guess> & "improvise".'
# What Django's HTML escaping would have turned those characters into.
ESCAPED = re.compile(r"&(?:lt|gt|amp|quot|#x27|#39|#34);")


def _texts(since: int) -> list[str]:
    rows = OutboundEmail.objects.filter(pk__gt=since).order_by("pk")
    return [f"{row.subject}\n{row.body}" for row in rows] + [
        f"{message.subject}\n{message.body}" for message in mail.outbox
    ]


def _every_contractor_email(clock, manager, user) -> None:  # noqa: F811
    """Make the services write each kind of email a contractor gets, with awkward texts."""
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager, name=PROJECT)
        assignment = work.assign(project, user, by=manager)
        second = work.assign(work.project_create(manager, name=f"{PROJECT} 2"), user, by=manager)
    project_services.assignment_rate_set(
        assignment=assignment,
        by=manager,
        rate_minor=2600,
        currency="EUR",
        effective_on=date(2026, 11, 16),
    )
    pay.approved_week(assignment, manager=manager, minutes=[60])
    entries = work.log(user, assignment, work.THIS_MONDAY, 30)
    project_services.time_week_submit(by=user, week=work.THIS_MONDAY)
    project_services.time_entries_reject(
        entry_ids=[entry.pk for entry in entries], by=manager, reason=REASON
    )
    period = pay.closed_period(work.LAST_MONDAY, by=manager)
    pay.generate(period, by=manager)
    payout = pay.approve_payout(user.contractor_profile.payouts.get(), by=manager)
    payment_services.payout_mark_failed(payout=payout, by=manager, reason=REASON)
    project_services.project_pause_schedule(
        project=project,
        by=manager,
        reason="quality",
        message=REASON,
        effective_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        short_notice_confirmed=True,
    )
    project_services.project_pause_cancel(project=project, by=manager, message=REASON)
    project_services.project_pause(
        project=project, by=manager, reason="budget", message=REASON, short_notice_confirmed=True
    )
    project_services.project_resume(project=project, by=manager, message=REASON)
    project_services.assignment_end(assignment=assignment, by=manager, end_on=date(2026, 11, 30))
    project_services.assignment_end(assignment=second, by=manager, end_on=date(2026, 11, 30))
    project_services.project_close(
        project=project, by=manager, message=REASON, short_notice_confirmed=True
    )
    # Suspension and offboarding come from a case decision; their emails' templates are
    # rendered with the same texts by test_every_text_template_prints_typed_values_as_written.


def test_contractor_emails_show_names_and_reasons_as_typed(
    clock,  # noqa: F811
    client,
    manager,
    outbox,
):
    since = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    user = factories.contractor_create(
        "nadia@example.com", by=manager, legal_name=NAME, display_name=NAME
    )
    _every_contractor_email(clock, manager, user)

    texts = _texts(since)
    assert len(texts) >= 11
    assert not [text for text in texts if ESCAPED.search(text)]
    everything = "\n".join(texts)
    for typed in (NAME, PROJECT, REASON):
        assert typed in everything
    # HTML is never trusted: the same notices on a page are escaped.
    client.force_login(user)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "Rock &amp; &quot;Roll&quot; &lt;i&gt;" in html
    assert PROJECT not in html


def test_application_emails_show_names_and_reasons_as_typed(manager, outbox):
    since = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    approved, application = factories.applicant_create(
        "nadia@example.com", legal_name=NAME, display_name=NAME
    )
    account_services.application_approve(application=application, by=manager)
    _rejected, application = factories.applicant_create(
        "obrien@example.com", legal_name=NAME, display_name=NAME
    )
    account_services.application_reject(application=application, by=manager, reason=REASON)

    texts = _texts(since)
    assert len(texts) == 2
    assert not [text for text in texts if ESCAPED.search(text)]
    assert all(NAME in text for text in texts)
    assert REASON in texts[1]
    assert Application.objects.filter(status="rejected").exists()


def test_sign_up_and_password_emails_keep_the_address_as_typed(client, outbox):
    email = "o'brien&co@example.com"
    response = client.post(
        reverse("account_signup"),
        {"email": email, "password1": "a long Passphrase 42", "password2": "a long Passphrase 42"},
    )
    assert response.status_code == 302
    client.logout()
    client.post(reverse("account_reset_password"), {"email": email})

    assert len(outbox) == 2
    for message in outbox:
        assert not ESCAPED.search(f"{message.subject}\n{message.body}"), message.body
    assert email in outbox[0].body


def test_sign_up_and_password_emails_name_the_site_not_the_host(client, outbox, settings):
    settings.SITE_NAME = "Acme contractor portal"
    email = "nadia@example.com"
    client.post(
        reverse("account_signup"),
        {"email": email, "password1": "a long Passphrase 42", "password2": "a long Passphrase 42"},
    )
    client.logout()
    client.post(reverse("account_reset_password"), {"email": email})

    assert len(outbox) == 2
    for message in outbox:
        assert "Hello from Acme contractor portal!" in message.body
        assert "Thank you for using Acme contractor portal!" in message.body
        assert "Hello from testserver" not in message.body


def _text_templates() -> list[Path]:
    return sorted(Path(settings.BASE_DIR, "templates").rglob("*.txt"))


def test_every_text_template_turns_html_escaping_off():
    """A text template written later is covered too: each one that prints a value says so."""
    printing = [path for path in _text_templates() if "{{" in path.read_text()]
    assert printing
    unescaped = [str(path) for path in printing if "{% autoescape off %}" not in path.read_text()]
    assert not unescaped


@pytest.mark.parametrize("path", _text_templates(), ids=lambda path: path.name)
def test_every_text_template_prints_typed_values_as_written(path):
    entry = SimpleNamespace(
        work_on=date(2026, 11, 9),
        assignment=SimpleNamespace(project=SimpleNamespace(name=PROJECT)),
        get_kind_display=REASON,
        minutes=30,
    )
    context = {
        "profile": SimpleNamespace(display_name=NAME, legal_name=NAME),
        "project": SimpleNamespace(name=PROJECT),
        "name": NAME,
        "reason": REASON,
        "title": REASON,
        "body": REASON,
        "message": REASON,
        "total": REASON,
        "entries": [entry],
        "written_in": "vi",
        "indent": "  ",
        "link": "/",
        "site_url": "http://testserver",
    }
    text = get_template(str(path.relative_to(Path(settings.BASE_DIR, "templates")))).render(context)
    assert not ESCAPED.search(text), text
