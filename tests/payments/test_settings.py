"""The pay period settings: read from the environment, refused when out of range."""

import pytest

from tests.portal.test_settings import LOAD_SETTINGS, production_env, run


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"PAY_PERIOD_START_WEEKDAY": "7"}, "PAY_PERIOD_START_WEEKDAY must be 0 (Monday) to 6"),
        ({"PAY_PERIOD_START_WEEKDAY": "sunday"}, "PAY_PERIOD_START_WEEKDAY must be a whole"),
        ({"PAY_PERIOD_CLOSE_AFTER_DAYS": "-1"}, "PAY_PERIOD_CLOSE_AFTER_DAYS must be 0 or more"),
    ],
)
def test_a_bad_pay_period_setting_stops_the_process(overrides, message):
    result = run(["-c", LOAD_SETTINGS], production_env(**overrides))
    assert result.returncode != 0
    assert message in result.stderr


def test_the_pay_period_settings_are_read():
    code = f"{LOAD_SETTINGS}; s = portal.settings; "
    code += "print(s.PAY_PERIOD_START_WEEKDAY, s.PAY_PERIOD_CLOSE_AFTER_DAYS)"
    env = production_env(PAY_PERIOD_START_WEEKDAY="6", PAY_PERIOD_CLOSE_AFTER_DAYS="4")
    assert run(["-c", code], env).stdout.split() == ["6", "4"]
