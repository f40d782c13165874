"""Every string a chat user sees, per language, looked up in one place.

Chinese is the default; an English deployment is `DUBAN_LANGUAGE=en`, not a fork. The catalogs
themselves are render/catalog_zh.py and render/catalog_en.py; this module picks one (`Texts`)
and escapes what goes into it (`esc`). Values are str.format templates whose arguments are
ALREADY HTML-escaped by the caller (`esc`), so the templates may use Telegram's HTML tags
(<b>, <i>, <code>) and nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from render.catalog_en import EN as EN
from render.catalog_zh import ZH as ZH

CATALOGS: Mapping[str, Mapping[str, str]] = {"zh": ZH, "en": EN}


def esc(value: object) -> str:
    """HTML-escape anything a user or a plan wrote before it goes into a message."""
    return html.escape(str(value), quote=False)


class Texts:
    """The catalog of one language: `t("key", name=esc(x))`."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang if lang in CATALOGS else "zh"
        self._catalog = CATALOGS[self.lang]

    def __call__(self, key: str, /, **kwargs: object) -> str:
        template = self._catalog.get(key) or ZH[key]
        return template.format(**kwargs) if kwargs else template
