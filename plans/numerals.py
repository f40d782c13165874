"""Chinese numerals, read with cn2an on the bare numeral only.

cn2an's `transform` rewrites whole sentences (统一 → 统1), so we cut the numeral out first and
convert just that. Bare magnitudes such as 百 / 千 ("超百项") are read as one of them.
"""

from __future__ import annotations

from functools import lru_cache

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"

_BARE = {"十": 10.0, "百": 100.0, "千": 1000.0, "万": 10000.0, "亿": 100000000.0}


@lru_cache(maxsize=1024)
def cn_to_number(text: str) -> float | None:
    """Read "二十六" as 26, "两" as 2, "百" as 100, "12" as 12; None when it is not a number."""
    text = text.strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        pass
    if text in _BARE:
        return _BARE[text]
    import cn2an  # here: it takes 0.2 s to import, and most commands never read a numeral

    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError):
        return None
    return float(value)


def section_ordinal(label: str) -> int | None:
    """The ordinal of a heading label: "(十二)" → 12, "三、" → 3, "4." → 4."""
    core = label.strip("()()、.., ")
    value = cn_to_number(core)
    return int(value) if value is not None and value.is_integer() else None
