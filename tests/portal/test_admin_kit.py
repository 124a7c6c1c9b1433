"""The admin kit: how every action calls a service, reports, and asks for details first."""

import re
from functools import partial

import pytest
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from accounts.models import ExpertiseArea
from portal.admin_kit import (
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    ReasonForm,
    form_action,
    money,
    run_each,
    run_once,
)

pytestmark = pytest.mark.django_db

REASON_FORM = partial(ReasonForm, label="Why", help_text="The contractor reads this.")


def describe_area(area: ExpertiseArea, *, description: str) -> ExpertiseArea:
    """A stand-in service: it refuses an area whose name starts with "Closed"."""
    if area.name.startswith("Closed"):
        raise ValidationError("%(name)s is closed.", params={"name": area.name})
    ExpertiseArea.objects.filter(pk=area.pk).update(description=description)
    return area


@pytest.fixture
def modeladmin() -> admin.ModelAdmin:
    return admin.ModelAdmin(ExpertiseArea, admin.site)


@pytest.fixture
def areas() -> list[ExpertiseArea]:
    return [ExpertiseArea.objects.create(name=name) for name in ("Closed", "Law", "Medicine")]


@pytest.fixture
def post(manager):
    def post(**data):
        request = RequestFactory().post("/admin/accounts/expertisearea/", data)
        request.user = manager
        request._messages = CookieStorage(request)
        return request

    return post


def _messages(request) -> list[tuple[int, str]]:
    return [(message.level, str(message)) for message in request._messages]


def _descriptions() -> dict[str, str]:
    return dict(ExpertiseArea.objects.values_list("name", "description"))


def _changelist_post(areas: list[ExpertiseArea], **data) -> dict:
    return {"action": "describe", ACTION_CHECKBOX_NAME: [area.pk for area in areas], **data}


# --- Calling services ---------------------------------------------------------------------


def test_run_each_reports_the_successes_together_and_each_refusal_as_an_error(
    modeladmin, post, areas
):
    request = post()

    run_each(
        modeladmin,
        request,
        ExpertiseArea.objects.all(),
        call=partial(describe_area, description="Reviewed"),
        done=lambda count: "Described %(count)d: %(names)s.",
    )

    assert _messages(request) == [
        (messages.ERROR, "Closed: Closed is closed."),
        (messages.SUCCESS, "Described 2: Law and Medicine."),
    ]
    assert _descriptions() == {"Closed": "", "Law": "Reviewed", "Medicine": "Reviewed"}


def test_run_each_without_done_reports_the_sentence_each_call_returns(modeladmin, post, areas):
    request = post()

    def describe_one(area: ExpertiseArea) -> str:
        describe_area(area, description="Reviewed")
        return f"Described {area}."

    run_each(
        modeladmin,
        request,
        ExpertiseArea.objects.all(),
        call=describe_one,
        describe=lambda area: f"Area {area.name}",
    )

    assert _messages(request) == [
        (messages.ERROR, "Area Closed: Closed is closed."),
        (messages.SUCCESS, "Described Law."),
        (messages.SUCCESS, "Described Medicine."),
    ]


def test_run_each_reports_nothing_done_when_everything_is_refused(modeladmin, post, areas):
    request = post()

    run_each(
        modeladmin,
        request,
        [areas[0]],
        call=partial(describe_area, description="Reviewed"),
        done=lambda count: "Described %(count)d: %(names)s.",
    )

    assert _messages(request) == [(messages.ERROR, "Closed: Closed is closed.")]


def test_run_once_reports_the_sentence_or_the_refusal_of_the_whole_batch(modeladmin, post):
    def refuse() -> str:
        raise ValidationError(["Nothing is submitted.", "Try again."])

    done, refused = post(), post()
    run_once(modeladmin, done, call=lambda: "Approved 3 entries.")
    run_once(modeladmin, refused, call=refuse)

    assert _messages(done) == [(messages.SUCCESS, "Approved 3 entries.")]
    assert _messages(refused) == [(messages.ERROR, "Nothing is submitted. Try again.")]


# --- Asking for details first -------------------------------------------------------------


def _describe_each(form: ReasonForm, *, modeladmin, request, areas) -> None:
    run_each(
        modeladmin,
        request,
        areas,
        call=partial(describe_area, description=form.cleaned_data["reason"]),
        done=lambda count: "Described %(count)d: %(names)s.",
    )


def _form_action(modeladmin, request, areas, **overrides):
    options = {
        "form": REASON_FORM,
        "title": "Describe areas",
        "apply": partial(_describe_each, modeladmin=modeladmin, request=request, areas=areas),
        **overrides,
    }
    return form_action(modeladmin, request, areas, **options)


def test_form_action_first_shows_the_form_for_the_selected_objects(modeladmin, post, areas):
    request = post(**_changelist_post(areas[1:]))

    page = _form_action(modeladmin, request, areas[1:]).render()

    assert page.template_name == "admin/action_form.html"
    html = page.content.decode()
    assert "<li>Law</li>" in html and "<li>Medicine</li>" in html
    for area in areas[1:]:
        assert f'name="{ACTION_CHECKBOX_NAME}" value="{area.pk}"' in html
    assert 'name="action" value="describe"' in html
    assert "The contractor reads this." in html
    assert not page.context_data["form"].is_bound
    assert _messages(request) == []


@pytest.mark.parametrize("reason", ["", "   "])
def test_form_action_shows_bad_input_next_to_its_field_and_changes_nothing(
    modeladmin, post, areas, reason
):
    request = post(**_changelist_post(areas[1:], apply="Describe areas", reason=reason))

    page = _form_action(modeladmin, request, areas[1:]).render()

    assert page.context_data["form"].errors == {"reason": ["This field is required."]}
    row = re.search(r'<div class="form-row errors">(.*?)</textarea>', page.content.decode(), re.S)
    assert row is not None
    assert "This field is required." in row.group(1)
    assert 'id="id_reason"' in row.group(1)
    assert _descriptions() == {"Closed": "", "Law": "", "Medicine": ""}
    assert _messages(request) == []


def test_form_action_applies_a_valid_form_and_returns_to_the_changelist(modeladmin, post, areas):
    request = post(**_changelist_post(areas, apply="Describe areas", reason="Checked"))

    assert _form_action(modeladmin, request, areas) is None

    assert _descriptions() == {"Closed": "", "Law": "Checked", "Medicine": "Checked"}
    assert _messages(request) == [
        (messages.ERROR, "Closed: Closed is closed."),
        (messages.SUCCESS, "Described 2: Law and Medicine."),
    ]


def test_form_action_shows_a_refusal_from_apply_on_the_form(modeladmin, post, areas):
    def refuse(form: ReasonForm) -> None:
        raise ValidationError({"reason": "Too vague.", "payout": "Already paid."})

    request = post(**_changelist_post(areas[1:], apply="Describe areas", reason="Because"))

    page = _form_action(modeladmin, request, areas[1:], apply=refuse).render()

    form = page.context_data["form"]
    assert form.errors["reason"] == ["Too vague."]
    assert form.non_field_errors() == ["Already paid."]
    assert "Too vague." in page.content.decode()
    assert _messages(request) == []


# --- Columns and read-only records --------------------------------------------------------


def test_money_formats_an_amount_and_shows_a_dash_without_one():
    assert money(123456, "USD") == "$1,234.56"
    assert money(None, "USD") == "—"
    assert money(500, "") == "—"


def test_read_only_admins_allow_no_add_change_or_delete(rf, manager):
    class Records(ReadOnlyAdminMixin, admin.ModelAdmin):
        pass

    class Lines(ReadOnlyInline):
        model = ExpertiseArea

    request = rf.get("/")
    request.user = manager
    for model_admin in (Records(ExpertiseArea, admin.site), Lines(ExpertiseArea, admin.site)):
        assert not model_admin.has_add_permission(request, None)
        assert not model_admin.has_change_permission(request, None)
        assert not model_admin.has_delete_permission(request, None)


def test_run_each_keeping_the_form_raises_when_everything_is_refused(modeladmin, post, areas):
    request = post()

    with pytest.raises(ValidationError) as refused:
        run_each(
            modeladmin,
            request,
            [areas[0]],
            call=partial(describe_area, description="Reviewed"),
            keep_form=True,
        )

    assert refused.value.messages == ["Closed is closed."]
    assert _messages(request) == []


def test_run_each_keeping_the_form_reports_as_usual_when_some_go_ahead(modeladmin, post, areas):
    request = post()

    run_each(
        modeladmin,
        request,
        ExpertiseArea.objects.all(),
        call=partial(describe_area, description="Reviewed"),
        done=lambda count: "Described %(count)d: %(names)s.",
        keep_form=True,
    )

    assert _messages(request) == [
        (messages.SUCCESS, "Described 2: Law and Medicine."),
        (messages.ERROR, "Closed: Closed is closed."),
    ]
