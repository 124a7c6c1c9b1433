import pytest
from django.core.exceptions import ValidationError

from projects.forms import HoursField, RateForm


@pytest.mark.parametrize(
    ("text", "minutes"), [("20", 1200), ("37.5", 2250), ("7:30", 450), ("450m", 450), ("", None)]
)
def test_hours_field_reads_weekly_caps_beyond_a_day(text, minutes):
    assert HoursField(required=False).clean(text) == minutes


@pytest.mark.parametrize(("text", "message"), [("0", "Give between"), ("169", "Give between")])
def test_hours_field_keeps_caps_within_a_week(text, message):
    with pytest.raises(ValidationError, match=message):
        HoursField().clean(text)


def test_hours_field_shows_minutes_as_hours():
    assert HoursField().prepare_value(450) == "7:30"


def test_rate_form_turns_major_units_into_minor_units():
    form = RateForm({"rate": "27.5", "currency": "EUR", "effective_on": "2026-11-04"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rate_minor"] == 2750
    yen = RateForm({"rate": "2750.5", "currency": "JPY", "effective_on": "2026-11-04"})
    assert not yen.is_valid()
    assert yen.errors["rate"] == ["JPY amounts take no decimals."]
