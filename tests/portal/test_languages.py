"""Every page and email in each site language, with no English left over.

A string that was never marked for translation stays English in every
language. In Traditional Chinese any English word stands out, so each page is
scanned for Latin-script words once the names and texts people typed (which
are shown as written) are taken out. In Indonesian and Vietnamese, which use
the Latin script, a sentence that reads the same as on the English page is
what gives an unmarked or untranslated string away.
"""

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts import services as account_services
from accounts.models import User
from payments import services as payment_services
from portal.models import OutboundEmail
from projects import services as project_services
from tests import factories
from tests.payments import factories as pay
from tests.projects import factories as work
from tests.projects.conftest import clock  # noqa: F401  (a fixture)
from tests.sanctions import sanction

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]

# What people typed is shown as written: taken out of the text before it is read.
TYPED = [
    "Search relevance",
    "Rate how well results answer the query.",
    "Read the rubric before every session.",
    "Chat safety review",
    "Quality dropped; retraining the raters.",
    "Two hours too many on Tuesday.",
    "Alice Example",
    "Alice",
    "WISE-0001",
    "alice@example.com",
    "manager@example.com",
    "My laptop",
    "Example Holder",
    "Too long.",
    "Bank refused.",
    "Retraining.",
    "Budget.",
    "Finished.",
    "Not needed.",
    "Checking.",
    "Done.",
    "Programme ended.",
    "Hauptstraße 1, Berlin",
    "resume.pdf",
    "I have rated search results for three years.",
]
# Names and codes that are the same in every language: products, formats, ISO codes.
SAME_EVERYWHERE = re.compile(
    r"\b(?:[A-Z]{3}|API|CSV|PDF|DOCX|PNG|JPEG|IBAN|TOTP|W-8BEN|W-9|SSN|EIN|TIN|PayPal|Wise|"
    r"Payoneer|WebAuthn|OpenAPI|JSON|ID|OK|UTC|GMT|Bahasa Indonesia|Tiếng Việt|English|"
    r"Contractor portal|https?://\S+|\S+@\S+)\b"
)


class _Text(HTMLParser):
    """The words a person reads or hears on a page: text and labelling attributes."""

    SKIP = {"script", "style", "svg", "code"}
    # Place, currency and language names come from CLDR in the reader's language,
    # not from our catalogs; proper nouns read the same in many languages.
    CLDR_LISTS = {
        "country",
        "time_zone",
        "payout_currency",
        "currency",
        "country_of_citizenship",
        "language",
    }
    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        cldr_list = (
            tag == "select" and (attributes.get("name") or "").split("-")[-1] in self.CLDR_LISTS
        )
        if tag in self.SKIP or cldr_list or "lang" in attributes and tag != "html":
            # Text marked with its own language is content in that language.
            self.skipping.append(tag)
            return
        for name in self.SPOKEN:
            if attributes.get(name):
                self.chunks.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.chunks.append(attributes.get("value") or "")

    def handle_endtag(self, tag) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data) -> None:
        if not self.skipping and data.strip():
            self.chunks.append(data)


def readable(html: str) -> list[str]:
    body = html.split("<body", 1)[-1].split(">", 1)[-1]
    head_title = re.search(r"<title>(.*?)</title>", html, re.S)
    parser = _Text()
    parser.feed(body)
    chunks = [*([head_title.group(1)] if head_title else []), *parser.chunks]
    return [cleaned for chunk in chunks if (cleaned := strip_typed(chunk))]


def strip_typed(text: str) -> str:
    for typed in sorted(TYPED, key=len, reverse=True):
        text = text.replace(typed, " ")
    text = SAME_EVERYWHERE.sub(" ", text)
    return " ".join(text.split())


def english_words(text: str) -> list[str]:
    return re.findall(r"\b[A-Za-z]{3,}\b", text)


def leftovers(chunks: list[str], english: set[str], language: str) -> list[str]:
    """Chunks that read as English: Latin words in Chinese, or the English page's own text."""
    if language.startswith("zh"):
        return [chunk for chunk in chunks if english_words(chunk)]
    # One word can be the same in both (Indonesian "Status", "Total"); a phrase can't.
    return [chunk for chunk in chunks if chunk in english and len(english_words(chunk)) >= 2]


def in_language(client, user: User, language: str, url: str) -> str:
    User.objects.filter(pk=user.pk).update(language=language)
    client.force_login(User.objects.get(pk=user.pk))
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def world(clock, manager, alice):  # noqa: F811
    """Alice, active, with every kind of thing a contractor's pages show."""
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager)
        other = work.project_create(manager, name="Chat safety review")
        assignment = work.assign(project, alice, by=manager)
        work.assign(other, alice, by=manager)
    pay.approved_week(assignment, manager=manager, minutes=[120] * 3)
    period = pay.closed_period(work.LAST_MONDAY, by=manager)
    pay.generate(period, by=manager)
    payout = alice.contractor_profile.payouts.get()
    pay.pay(pay.approve_payout(payout, by=manager), by=manager)
    entries = work.log(alice, assignment, work.THIS_MONDAY, 90)
    project_services.time_week_submit(by=alice, week=work.THIS_MONDAY)
    project_services.time_entries_reject(
        entry_ids=[entry.pk for entry in entries],
        by=manager,
        reason="Two hours too many on Tuesday.",
    )
    work.log(alice, assignment, date(2026, 11, 11), 60)
    project_services.project_pause(
        project=other,
        by=manager,
        reason="quality",
        message="Quality dropped; retraining the raters.",
        expected_resume_on=date(2026, 12, 1),
        short_notice_confirmed=True,
    )
    account_services.api_token_create(user=alice, name="My laptop")
    return {"project": project, "assignment": assignment, "payout": payout}


def contractor_pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("projects:my_projects"),
        reverse("projects:project", args=[world["project"].pk]),
        reverse("projects:assignment_detail", args=[world["assignment"].pk]),
        reverse("projects:timesheet") + f"?week={work.THIS_MONDAY}",
        reverse("payments:earnings") + f"?period={work.LAST_MONDAY}",
        reverse("notifications:list"),
        reverse("notifications:preferences"),
        reverse("accounts:onboarding"),
        reverse("accounts:agreement"),
        reverse("accounts:tax_form"),
        reverse("accounts:payout_details"),
        reverse("accounts:api_tokens"),
        reverse("accounts:preferences"),
        reverse("account_email"),
        reverse("account_change_password"),
        reverse("mfa_index"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_contractor_page_is_in_the_readers_language(client, world, alice, language):
    problems = {}
    for url in contractor_pages(world):
        english = set(readable(in_language(client, alice, "en", url)))
        html = in_language(client, alice, language, url)
        assert f'lang="{language}"' in html
        if found := leftovers(readable(html), english, language):
            problems[url] = found
    assert not problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_applicant_and_visitor_pages_are_in_the_readers_language(client, language):
    applicant, _application = factories.applicant_create()
    pages = [reverse("accounts:application_status"), reverse("accounts:application_edit")]
    problems = {}
    for url in pages:
        english = set(readable(in_language(client, applicant, "en", url)))
        html = in_language(client, applicant, language, url)
        if found := leftovers(readable(html), english, language):
            problems[url] = found
    client.logout()
    for url in [
        reverse("home"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]:
        english = set(readable(client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()))
        html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        if found := leftovers(readable(html), english, language):
            problems[url] = found
    assert not problems


def _email_texts(since: int) -> list[str]:
    rows = OutboundEmail.objects.filter(pk__gt=since).order_by("pk")
    return [f"{row.subject}\n{row.body}" for row in rows] + [
        f"{message.subject}\n{message.body}" for message in mail.outbox
    ]


def _every_email_kind(clock, manager, alice) -> None:  # noqa: F811
    """Make the services send each kind of email the portal writes to a contractor."""
    with clock.back_at(work.SETUP_AT):
        project = work.project_create(manager)
        assignment = work.assign(project, alice, by=manager)
        second = work.assign(
            work.project_create(manager, name="Chat safety review"), alice, by=manager
        )
    project_services.assignment_rate_set(
        assignment=assignment,
        by=manager,
        rate_minor=2600,
        currency="EUR",
        effective_on=date(2026, 11, 16),
    )
    approved = pay.approved_week(assignment, manager=manager, minutes=[60])
    assert approved
    entries = work.log(alice, assignment, work.THIS_MONDAY, 30)
    project_services.time_week_submit(by=alice, week=work.THIS_MONDAY)
    project_services.time_entries_reject(
        entry_ids=[entry.pk for entry in entries], by=manager, reason="Too long."
    )
    period = pay.closed_period(work.LAST_MONDAY, by=manager)
    pay.generate(period, by=manager)
    payout = pay.approve_payout(alice.contractor_profile.payouts.get(), by=manager)
    payment_services.payout_mark_failed(payout=payout, by=manager, reason="Bank refused.")
    project_services.project_pause_schedule(
        project=project,
        by=manager,
        reason="quality",
        message="Retraining.",
        effective_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
        short_notice_confirmed=True,
    )
    project_services.project_pause_cancel(project=project, by=manager, message="")
    project_services.project_pause(
        project=project, by=manager, reason="budget", message="Budget.", short_notice_confirmed=True
    )
    project_services.project_resume(project=project, by=manager, message="")
    project_services.assignment_end(assignment=assignment, by=manager, end_on=date(2026, 11, 30))
    project_services.assignment_remove(
        assignment=second, by=manager, reason="Not needed.", ground="staffing"
    )
    profile = alice.contractor_profile
    sanction(profile, by=manager, reasons="Checking.")
    account_services.contractor_reinstate(profile=profile, by=manager, reason="Done.")
    project_services.project_close(
        project=project, by=manager, message="Finished.", short_notice_confirmed=True
    )
    sanction(profile, by=manager, outcome="offboarding", reasons="Programme ended.")


def _english_sentences() -> set[str]:
    """Every English line the catalogs know, as an email would show it."""
    from babel.messages.pofile import read_po

    catalog = settings.LOCALE_PATHS[0] / "zh_Hant" / "LC_MESSAGES" / "django.po"
    with catalog.open("rb") as source:
        ids = [m.id for m in read_po(source) if m.id]
    lines = set()
    for message_id in ids:
        for one in message_id if isinstance(message_id, tuple) else (message_id,):
            lines.update(strip_typed(line) for line in one.splitlines())
    return {line for line in lines if len(english_words(line)) >= 2}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_email_kind_is_written_in_the_recipients_language(
    clock,  # noqa: F811
    manager,
    alice,
    language,
    outbox,
):
    User.objects.filter(pk=alice.pk).update(language=language)
    since = OutboundEmail.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with translation.override("en"):  # the manager acts in English
        _every_email_kind(clock, manager, User.objects.get(pk=alice.pk))
    texts = _email_texts(since)
    assert len(texts) >= 12
    english = _english_sentences()
    problems = [
        line
        for text in texts
        for line in leftovers(
            [strip_typed(line) for line in text.splitlines() if strip_typed(line)],
            english,
            language,
        )
    ]
    assert not problems
