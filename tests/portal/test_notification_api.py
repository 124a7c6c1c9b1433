"""A person's notices through the API, scoped to them, through the same services."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import User
from portal.models import Notification, NotificationKind
from portal.notifications import Notice, notify

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications"


@pytest.fixture(autouse=True)
def _clean_slate(alice, bob):
    Notification.objects.all().delete()


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _tell(user, *titles: str) -> None:
    for title in titles:
        notify(
            recipients=User.objects.filter(pk=user.pk),
            kind=NotificationKind.RATE_CHANGED,
            notice=lambda title=title: Notice(title, f"About {title}."),
            link="/projects/",
        )


def test_list_is_newest_first_paginated_and_filterable(alice, bob):
    _tell(alice, "first", "second", "third")
    _tell(bob, "not yours")
    Notification.objects.filter(title="first").update(read_at="2026-11-12T12:00:00Z")
    client = _client(alice)

    listed = client.get(LIST).json()
    assert listed["count"] == 3
    assert [n["title"] for n in listed["results"]] == ["third", "second", "first"]
    assert listed["results"][0]["kind"] == "rate_changed"
    assert listed["results"][0]["link"] == "/projects/"
    assert [n["title"] for n in client.get(LIST, {"unread": "true"}).json()["results"]] == [
        "third",
        "second",
    ]
    assert [n["title"] for n in client.get(LIST, {"unread": "false"}).json()["results"]] == [
        "first"
    ]
    assert client.get(LIST, {"unread": "maybe"}).status_code == 400


def test_unread_count_mark_one_and_mark_all(alice, bob):
    _tell(alice, "one", "two", "three")
    _tell(bob, "theirs")
    client = _client(alice)
    assert client.get(f"{LIST}/unread-count").json() == {"unread": 3}

    notice = Notification.objects.get(title="one")
    marked = client.post(f"{LIST}/{notice.pk}/read").json()
    assert marked["read_at"] is not None
    assert client.get(f"{LIST}/unread-count").json() == {"unread": 2}

    assert client.post(f"{LIST}/read-all").json() == {"marked_read": 2}
    assert client.get(f"{LIST}/unread-count").json() == {"unread": 0}
    assert Notification.objects.get(title="theirs").read_at is None


def test_another_persons_notice_is_404(alice, bob):
    _tell(bob, "theirs")
    notice = Notification.objects.get()
    assert _client(alice).post(f"{LIST}/{notice.pk}/read").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_token_works_and_anonymous_is_refused(alice):
    _tell(alice, "hello")
    _token, key = account_services.api_token_create(user=alice, name="bot")
    client = APIClient()
    assert client.get(LIST).status_code in (401, 403)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(LIST).json()["count"] == 1


def test_list_queries_do_not_grow_with_notices(alice):
    _tell(alice, "one")
    client = _client(alice)

    def count() -> int:
        client.get(LIST)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    one = count()
    _tell(alice, *[f"n{n}" for n in range(50)])
    assert count() == one


def test_schema_lists_the_notification_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in (
        LIST,
        f"{LIST}/unread-count",
        f"{LIST}/read-all",
        f"{LIST}/{{notification_id}}/read",
    ):
        assert f"{path}:" in schema
