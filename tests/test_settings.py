"""Every setting's wrong values give one line naming the variable (and, for combinations, the
variables) and what would be valid; a good value is read as meant."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("DUBAN_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("TIMEZONE", "Mars/Olympus", "unknown time zone"),
        ("ADMIN_IDS", "alice,bob", "Telegram user ids"),
        ("BOT_API_URL", "api.telegram.org", "http:// or https://"),
        ("LANGUAGE", "fr", "zh or en"),
        ("SCHEDULER", "sometimes", "DUBAN_SCHEDULER"),
        ("INVITE_DAYS", "0", "DUBAN_INVITE_DAYS"),
        ("NUDGE_DAYS", "14,seven", "separated by commas"),
        ("NUDGE_DAYS", "400", "between 0 and 365"),
        ("CYCLE", "daily", "DUBAN_CYCLE"),
        ("CYCLE_DAY", "32", "DUBAN_CYCLE_DAY"),
        ("OVERDUE_EVERY", "0", "DUBAN_OVERDUE_EVERY"),
        ("SEND_HOUR", "24", "DUBAN_SEND_HOUR"),
        ("QUIET_FROM", "0", "DUBAN_QUIET_FROM"),
        ("PASS_MINUTES", "0", "DUBAN_PASS_MINUTES"),
        ("SEND_RATE", "0", "DUBAN_SEND_RATE"),
        ("SEND_CONCURRENCY", "100", "DUBAN_SEND_CONCURRENCY"),
        ("API_TIMEOUT", "0", "DUBAN_API_TIMEOUT"),
        ("API_TIMEOUT", "soon", "DUBAN_API_TIMEOUT"),
        ("DIGEST_DAY", "8", "DUBAN_DIGEST_DAY"),
        ("DIGEST_HOUR", "25", "DUBAN_DIGEST_HOUR"),
        ("SIGNOFF", "maybe", "DUBAN_SIGNOFF"),
        ("LOG_FORMAT", "xml", "DUBAN_LOG_FORMAT"),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(f"DUBAN_{variable}", value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    message = str(e.value)
    assert "\n" not in message
    assert f"DUBAN_{variable}" in message and says in message


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"CYCLE": "weekly", "CYCLE_DAY": "25"}, "DUBAN_CYCLE_DAY: with DUBAN_CYCLE=weekly"),
        ({"SEND_HOUR": "22"}, "DUBAN_SEND_HOUR (22) must be before DUBAN_QUIET_FROM (21)"),
        ({"SEND_HOUR": "9", "QUIET_FROM": "9"}, "must be before DUBAN_QUIET_FROM"),
        ({"DIGEST_HOUR": "22"}, "DUBAN_DIGEST_HOUR (22) must be between DUBAN_SEND_HOUR"),
        ({"DIGEST_HOUR": "7"}, "DUBAN_DIGEST_HOUR (7)"),
        ({"WEBHOOK_URL": "https://bot.example.org/hook"}, "DUBAN_WEBHOOK_SECRET"),
    ],
)
def test_wrong_combinations_name_every_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], says: str
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(f"DUBAN_{key}", value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert says in str(e.value) and "\n" not in str(e.value)


def test_weekly_without_a_day_means_mondays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_CYCLE", "weekly")
    settings = load_settings()
    assert (settings.cycle, settings.cycle_day) == ("weekly", 1)
    monkeypatch.setenv("DUBAN_CYCLE_DAY", "5")
    assert load_settings().cycle_day == 5


def test_good_values_are_read_as_meant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DUBAN_SIGNOFF", "off")
    monkeypatch.setenv("DUBAN_NUDGE_DAYS", "7, 1, 7, 0")
    monkeypatch.setenv("DUBAN_ADMIN_IDS", "1; 2 3")
    monkeypatch.setenv("DUBAN_BOT_API_URL", "http://127.0.0.1:8081/bot")
    s = load_settings()
    assert s.signoff is False
    assert s.nudge_days == (7, 1, 0)
    assert s.admin_ids == [1, 2, 3]
    assert s.bot_api_url == "http://127.0.0.1:8081"
    assert isinstance(s, Settings)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("DUBAN_ADMIN_ID", "DUBAN_ADMIN_IDS"),
        ("DUBAN_SENDHOUR", "DUBAN_SEND_HOUR"),
        ("DUBAN_QUIET_HOUR", "DUBAN_QUIET_FROM"),
        ("DUBAN_TOKEN", "DUBAN_BOT_TOKEN"),
        ("DUBAN_TZ", "DUBAN_TIMEZONE"),
        ("DUBAN_LANG", "DUBAN_LANGUAGE"),
        ("duban_webhook_secert", "DUBAN_WEBHOOK_SECRET"),
    ],
)
def test_a_misspelt_variable_is_named_with_the_setting_it_looks_like(
    monkeypatch: pytest.MonkeyPatch, written: str, meant: str
) -> None:
    """A DUBAN_* variable that is no setting would be ignored: a misspelt DUBAN_ADMIN_IDS would
    leave the bot without admins and nobody would know why."""
    monkeypatch.setenv(written, "1")
    with pytest.raises(SettingsError) as e:
        load_settings()
    message = str(e.value)
    assert "\n" not in message
    assert f"{written.upper()} is not a setting of duban (did you mean {meant}?)" in message


def test_a_misspelt_variable_in_the_env_file_and_a_wrong_value_together(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text("DUBAN_SEND_HOURS=8\nOTHER_TOOL_TOKEN=x\n", encoding="utf-8")
    monkeypatch.setenv("DUBAN_LANGUAGE", "fr")
    monkeypatch.setenv("DUBAN_NOTHING_LIKE_IT", "1")
    with pytest.raises(SettingsError) as e:
        load_settings()
    message = str(e.value)
    assert "DUBAN_SEND_HOURS is not a setting of duban (did you mean DUBAN_SEND_HOUR?)" in message
    assert "DUBAN_NOTHING_LIKE_IT is not a setting of duban (see README, Settings)" in message
    assert "DUBAN_LANGUAGE: expected zh or en" in message
    assert "OTHER_TOOL" not in message  # only duban's prefix is duban's business


def test_every_setting_is_in_the_readme_table() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `DUBAN_")]
    missing = [
        f"DUBAN_{field.upper()}"
        for field in Settings.model_fields
        if not any(f"`DUBAN_{field.upper()}`" in row for row in rows)
    ]
    assert not missing, f"settings the README's table does not explain: {missing}"
