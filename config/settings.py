"""duban's settings: environment variables DUBAN_* and an optional .env file, read once.

Nothing else in duban reads the environment; the CLI loads Settings at the edge and passes
them down. A wrong value becomes one line naming the variable (`SettingsError`), not a traceback.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class SettingsError(ValueError):
    """A setting has a wrong value; the message names the variable."""


class Settings(BaseSettings):
    """Every knob of duban, typed, with the defaults a new deployment needs."""

    model_config = SettingsConfigDict(
        env_prefix="DUBAN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    bot_token: SecretStr | None = Field(default=None, description="Bot API token from @BotFather")
    database: Path = Field(default=Path("data/duban.db"), description="SQLite database file")
    timezone: str = Field(default="Asia/Shanghai", description="IANA time zone for all local times")
    admin_ids: Annotated[list[int], NoDecode] = Field(
        default_factory=list, description="Telegram user ids of admins, comma-separated"
    )
    bot_api_url: str = Field(
        default="https://api.telegram.org", description="root URL of the Bot API server"
    )
    language: str = Field(default="zh", description="language of user-facing messages (zh, en)")
    scheduler: bool = Field(
        default=True, description="run nudge passes and digests inside `duban run` (off: cron)"
    )
    invite_days: int = Field(default=7, ge=1, le=365, description="days an invite link works")
    nudge_days: Annotated[tuple[int, ...], NoDecode] = Field(
        default=(14, 7, 3, 1, 0), description="days before a deadline or milestone to nudge"
    )
    cycle: Literal["monthly", "weekly", "off"] = Field(
        default="monthly", description="progress request cycle: monthly, weekly, off"
    )
    cycle_day: int = Field(default=25, ge=1, le=31, description="day of month (or weekday 1-7)")
    overdue_every: int = Field(
        default=3, ge=1, description="working days between overdue reminders"
    )
    send_hour: int = Field(default=9, ge=0, le=23, description="local hour nudges go out")
    quiet_from: int = Field(
        default=21, ge=1, le=24, description="local hour from which the bot is quiet"
    )
    pass_minutes: int = Field(default=10, ge=1, description="minutes between scheduled passes")
    send_rate: float = Field(
        default=30.0, gt=0, description="messages per second the Bot API allows this bot"
    )
    group_rate: float = Field(
        default=20.0, gt=0, description="messages per minute the Bot API allows in one group"
    )
    chat_rate: float = Field(
        default=1.0,
        ge=0,
        description="messages per second to one private chat (Telegram's limit: 1; 0: unpaced)",
    )
    send_concurrency: int = Field(default=8, ge=1, le=64, description="parallel sends in a pass")
    api_timeout: float = Field(
        default=5.0,
        gt=0,
        le=300,
        description="seconds to wait for a Bot API answer before trying again (slow links: more)",
    )
    claim_lease: int = Field(
        default=300,
        ge=1,
        description="seconds a pass holds the nudges or digest it sends; a crashed one's after",
    )
    digest_day: int = Field(default=1, ge=1, le=7, description="ISO weekday of the weekly digest")
    digest_hour: int = Field(default=9, ge=0, le=23, description="local hour of the weekly digest")
    signoff: bool = Field(
        default=True,
        description="a unit's done waits for a coordinator's 销号 (on) or closes the item (off)",
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="log lines as text, or one JSON object per line"
    )
    webhook_url: str | None = Field(
        default=None, description="public URL Telegram posts updates to (unset: long polling)"
    )
    webhook_listen: str = Field(
        default="0.0.0.0:8080", description="host:port the webhook server listens on"
    )
    webhook_secret: SecretStr | None = Field(
        default=None, description="secret Telegram sends with every update (webhook mode)"
    )

    @field_validator("nudge_days", mode="before")
    @classmethod
    def _split_days(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                days = [int(p) for p in value.replace(" ", "").split(",") if p]
            except ValueError:
                raise ValueError(
                    "expected days as numbers separated by commas, e.g. 14,7,3,1,0"
                ) from None
            if any(d < 0 or d > 365 for d in days):
                raise ValueError("days must be between 0 and 365")
            return tuple(sorted(set(days), reverse=True))
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [p for p in value.replace(";", ",").replace(" ", ",").split(",") if p]
            try:
                return [int(p) for p in parts]
            except ValueError:
                raise ValueError(
                    "expected Telegram user ids (numbers) separated by commas"
                ) from None
        if isinstance(value, int):
            return [value]
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (expected e.g. Asia/Shanghai)") from None
        return value

    @field_validator("bot_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http:// or https:// URL")
        if value.endswith("/bot"):
            value = value[: -len("/bot")]  # people paste the python-telegram-bot base_url form
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in ("zh", "en"):
            raise ValueError("expected zh or en")
        return value

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None  # DUBAN_WEBHOOK_URL= (empty) keeps long polling
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("expected the public https:// URL Telegram posts updates to")
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        _host_port(value)
        return value.strip()

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> Any:
        # Never echo the value: it is a credential.
        raw = value.get_secret_value() if isinstance(value, SecretStr) else value
        if isinstance(raw, str):
            if not raw:
                return None
            if not _SECRET_RE.fullmatch(raw):
                raise ValueError(
                    "expected 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule), "
                    "e.g. from: openssl rand -hex 32"
                )
        return value

    @model_validator(mode="after")
    def _schedule_makes_sense(self) -> Settings:
        """The cross-field rules of the schedule, each naming the variables and what is valid."""
        if self.cycle == "weekly" and "cycle_day" not in self.model_fields_set:
            self.cycle_day = 1  # weekly without a day: Mondays (25 is a day of the month)
        if self.cycle == "weekly" and not 1 <= self.cycle_day <= 7:
            raise ValueError(
                f"DUBAN_CYCLE_DAY: with DUBAN_CYCLE=weekly it is an ISO weekday, 1 (Monday) to 7"
                f" (Sunday); got {self.cycle_day}"
            )
        if self.send_hour >= self.quiet_from:
            raise ValueError(
                f"DUBAN_SEND_HOUR ({self.send_hour}) must be before DUBAN_QUIET_FROM"
                f" ({self.quiet_from}): nudges go out from the send hour until the quiet hour"
            )
        if not self.send_hour <= self.digest_hour < self.quiet_from:
            raise ValueError(
                f"DUBAN_DIGEST_HOUR ({self.digest_hour}) must be between DUBAN_SEND_HOUR"
                f" ({self.send_hour}) and DUBAN_QUIET_FROM ({self.quiet_from}): the digest is not"
                " sent in the quiet hours"
            )
        return self

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "DUBAN_WEBHOOK_SECRET: required when DUBAN_WEBHOOK_URL is set, so that only "
                "Telegram can post updates (e.g. from: openssl rand -hex 32)"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def webhook_address(self) -> tuple[str, int]:
        """DUBAN_WEBHOOK_LISTEN as (host, port); ``[::]:8080`` gives ``("::", 8080)``."""
        return _host_port(self.webhook_listen)

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: DUBAN_WEBHOOK_URL's path (``/`` if none)."""
        return urlsplit(self.webhook_url or "").path or "/"


_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


def _host_port(value: str) -> tuple[str, int]:
    """Split ``host:port`` (IPv6 in brackets); ValueError naming the expected form."""
    host, sep, port = value.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError("expected host:port, e.g. 0.0.0.0:8080 or [::]:8443")
    return host, int(port)


def unknown_variables(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> list[str]:
    """One line for each DUBAN_* variable (in the environment or the .env file) that is not a
    setting, with the setting it most looks like: a misspelt DUBAN_ADMIN_IDS would otherwise
    leave the bot without admins, silently."""
    names = {k.upper() for k in (os.environ if environ is None else environ)}
    if env_file is not None and env_file.is_file():
        names |= {k.upper() for k in dotenv_values(env_file, encoding="utf-8")}
    known = sorted(field.upper() for field in Settings.model_fields)
    lines = []
    for name in sorted(n for n in names if n.startswith("DUBAN_") and n[6:] not in known):
        close = _closest(name[6:], known)
        hint = f"did you mean DUBAN_{close}?" if close else "see README, Settings"
        lines.append(f"{name} is not a setting of duban ({hint})")
    return lines


# Words people write for the words of the settings' names
_SYNONYMS = {
    "TIME": "HOUR",
    "TZ": "TIMEZONE",
    "ZONE": "TIMEZONE",
    "DB": "DATABASE",
    "PATH": "DATABASE",
    "FILE": "DATABASE",
    "LANG": "LANGUAGE",
    "LOCALE": "LANGUAGE",
    "WEEKDAY": "DAY",
    "ADMINS": "ADMIN",
    "KEY": "TOKEN",
}


def _closest(name: str, known: list[str]) -> str | None:
    """The setting a misspelt name most likely meant: the one sharing its rarest words
    (QUIET_HOUR: QUIET_FROM; DUBAN_TZ: TIMEZONE), then the most alike; None if none is close."""
    words = {_SYNONYMS.get(w, w) for w in name.split("_")}
    fields = {k: set(k.split("_")) for k in known}
    use = {w: sum(w in f for f in fields.values()) for w in words}

    def score(k: str) -> tuple[float, float]:
        shared = sum(1 / use[w] for w in words & fields[k] if use[w])
        return shared, difflib.SequenceMatcher(None, name, k).ratio()

    best = max(known, key=score)
    if score(best)[0] > 0:
        return best
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
    return close[0] if close else None


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one line per wrong variable, and a
    DUBAN_* variable that is no setting into one line naming the setting it looks like."""
    lines = unknown_variables()
    try:
        settings = Settings(**overrides)
    except ValidationError as e:
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            msg = str(err["msg"]).removeprefix("Value error, ")
            # a cross-field check has no field and names its variables itself
            lines.append(f"DUBAN_{field.upper()}: {msg}" if err["loc"] else msg)
    if lines:
        raise SettingsError("; ".join(lines)) from None
    return settings
