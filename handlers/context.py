"""The context every handler and job gets: the services and the sending port, typed.

python-telegram-bot makes a `Ctx` per update (ContextTypes below, given to the Application in
bot.app), so a handler reads `context.svc` rather than digging in an untyped `bot_data`.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from handlers.sender import TelegramSender
from services.core import Services


class BotData:
    """What the Application carries for all its handlers: the services, set once when it is
    built (python-telegram-bot makes this object with no arguments)."""

    def __init__(self) -> None:
        self._svc: Services | None = None

    @property
    def svc(self) -> Services:
        if self._svc is None:
            raise RuntimeError("the Application has no services: build it with build_application")
        return self._svc

    @svc.setter
    def svc(self, svc: Services) -> None:
        self._svc = svc


class Ctx(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """A handler's context, with the services and a sender over its bot."""

    @property
    def svc(self) -> Services:
        return self.bot_data.svc

    @property
    def sender(self) -> TelegramSender:
        return TelegramSender(self.bot)


App: TypeAlias = Application[
    ExtBot[int], Ctx, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Ctx]
]
CONTEXT_TYPES = ContextTypes(context=Ctx, bot_data=BotData)
