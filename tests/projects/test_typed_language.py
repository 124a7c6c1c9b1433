"""What a manager types is shown as written, marked with its language; the page names that
language when it is not the reader's."""

import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from portal.models import OutboundEmail
from projects import services
from projects.models import PauseReason, TimeEntry
from tests.projects.factories import LAST_MONDAY, log

pytestmark = pytest.mark.django_db

MESSAGE = "The client is reviewing the batch of 9 November."
NOTE = "Written in %(language)s."


def _reads(user: User, language: str) -> User:
    User.objects.filter(pk=user.pk).update(language=language)
    return User.objects.get(pk=user.pk)


def _page(client, user: User, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _note(reader: str, written_in: str) -> str:
    """The note as the template words it, in the reader's language."""
    with translation.override(reader):
        language = str(translation.get_language_info(written_in)["name_translated"])
        return translation.gettext(NOTE) % {"language": language}


def _pause_in_english(project, manager) -> None:
    with translation.override("en"):  # the manager's admin language
        services.project_pause(
            project=project,
            by=manager,
            reason=PauseReason.QUALITY,
            message=MESSAGE,
            expected_resume_on=date(2026, 11, 30),
            short_notice_confirmed=True,
        )


def test_a_pause_keeps_the_language_it_was_written_in(clock, alice_on_project, manager):
    with translation.override("vi"):
        services.project_pause(
            project=alice_on_project.project,
            by=manager,
            reason="budget",
            message="Hết ngân sách.",
            short_notice_confirmed=True,
        )
    project = alice_on_project.project
    project.refresh_from_db()
    change = project.status_changes.get(to_status="paused")
    assert (project.pause_written_in, change.written_in) == ("vi", "vi")
    # Only the pause message: the description keeps the language it was written in.
    assert project.written_in == "en"


def test_a_vietnamese_reader_sees_an_english_pause_as_written_and_told_so(
    client, clock, alice, alice_on_project, manager
):
    _pause_in_english(alice_on_project.project, manager)
    page = _page(
        client,
        _reads(alice, "vi"),
        reverse("projects:assignment_detail", args=[alice_on_project.pk]),
    )

    assert f'<blockquote class="reason" lang="en">{MESSAGE}</blockquote>' in page
    note = _note("vi", "en")
    with translation.override("vi"):
        assert translation.gettext(NOTE) != NOTE  # the note is in Vietnamese,
        assert str(translation.get_language_info("en")["name_translated"]) in note  # English too
    assert note in page


def test_an_english_reader_is_not_told_the_language_of_english_text(
    client, clock, alice, alice_on_project, manager
):
    _pause_in_english(alice_on_project.project, manager)
    page = _page(
        client,
        _reads(alice, "en"),
        reverse("projects:assignment_detail", args=[alice_on_project.pk]),
    )

    # The page is in English already: the message needs no lang of its own, nor a note.
    assert f'<blockquote class="reason">{MESSAGE}</blockquote>' in page
    assert "Written in" not in page


def test_text_from_before_its_language_was_kept_has_no_note(
    client, clock, alice, alice_on_project, manager
):
    _pause_in_english(alice_on_project.project, manager)
    project = alice_on_project.project
    type(project).objects.filter(pk=project.pk).update(written_in="", pause_written_in="")
    page = _page(client, _reads(alice, "vi"), reverse("projects:my_projects"))

    assert f'<blockquote class="reason">{MESSAGE}</blockquote>' in page
    assert _note("vi", "en") not in page


def test_a_rejection_reason_keeps_its_writers_language(
    client, clock, alice, alice_on_project, manager
):
    log(alice, alice_on_project, LAST_MONDAY, 60)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    with translation.override("zh-hant"):
        services.time_entries_reject(entry_ids=[entry.pk], by=manager, reason="週一多報了。")
    assert TimeEntry.objects.get(pk=entry.pk).written_in == "zh-hant"

    page = _page(client, _reads(alice, "id"), reverse("projects:timesheet") + "?week=2026-11-02")
    assert '<span lang="zh-hant">“週一多報了。”</span>' in page
    assert _note("id", "zh-hant") in page

    # Read in the language it was written in, there is nothing to say.
    page = _page(client, _reads(alice, "zh-hant"), reverse("projects:timesheet"))
    assert _note("zh-hant", "zh-hant") not in page


def test_the_rejection_email_names_the_language_in_the_readers_words(
    clock, alice, alice_on_project, manager
):
    _reads(alice, "vi")
    log(alice, alice_on_project, LAST_MONDAY, 60)
    [entry] = services.time_week_submit(by=alice, week=LAST_MONDAY)
    with translation.override("en"):
        services.time_entries_reject(entry_ids=[entry.pk], by=manager, reason="Wrong day.")

    body = OutboundEmail.objects.filter(to=alice.email).latest("pk").body
    with translation.override("vi"):
        language = str(translation.get_language_info("en")["name_translated"])
        note = translation.gettext("(Written in %(language)s.)") % {"language": language}
    assert f"  Wrong day.\n  {note}\n" in body


def test_an_email_in_the_writers_language_has_no_note():
    context = {"reason": "Wrong day.", "written_in": "en", "entries": [], "site_url": ""}
    with translation.override("en"):
        body = render_to_string("projects/email/time_rejected.txt", context)
    assert "  Wrong day.\n\n" in body
