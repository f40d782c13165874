"""duban's settings: environment variables DUBAN_* and an optional .env file, read once.

Nothing else in duban reads the environment; the CLI loads Settings at the edge and passes
them down. A wrong value becomes one line naming the variable (`SettingsError`), not a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
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

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning a validation error into one line per wrong variable."""
    try:
        return Settings(**overrides)
    except ValidationError as e:
        lines = []
        for err in e.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"DUBAN_{field.upper()}: {msg}")
        raise SettingsError("; ".join(lines)) from None
