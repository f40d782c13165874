"""Telegram's HTML parse mode: turn marked-up text into plain text plus message entities.

The rules follow tdlib's ``parse_html`` (td/telegram/MessageEntity.cpp), which is what the Bot
API runs for ``parse_mode=HTML``. Being as strict as Telegram matters more than being complete:
the point of the sandbox is that markup Telegram would reject is rejected in tests too, with the
same error text, and that lengths are measured on the text *after* the markup is removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["HtmlParseError", "ParsedText", "parse_html", "utf16_len"]

# Tag name -> entity type. span and tg-emoji need an attribute and are special-cased below.
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALL_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "span", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space: the ASCII blanks only, not Unicode spaces.
_SPACES = frozenset(" \t\r\n\0\v")


class HtmlParseError(ValueError):
    """Markup Telegram refuses; ``str(exc)`` is the part after "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text as the user will see it, and its entities (offsets in UTF-16 code units)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    argument: str
    utf16_offset: int
    text_offset: int  # index into the output list, to read the entity's text for <a> without href


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit Telegram uses for entity offsets."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _byte_offset(text: str, index: int) -> int:
    # Telegram reports positions as byte offsets in the UTF-8 encoding of the message.
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``text[pos] == '&'``; return (character, next position).

    Like tdlib: only &lt; &gt; &amp; &quot; and numeric references are known, the final ';' is
    optional, and anything else is not an error -- the '&' is then kept literally.
    """
    end = pos + 1
    n = len(text)
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
                if value >= 0x10FFFF:
                    return None
        else:
            while end < n and text[end].isascii() and text[end].isdigit():
                value = value * 10 + int(text[end])
                end += 1
                if value >= 0x10FFFF:
                    return None
        if value == 0 or 0xD800 <= value < 0xE000:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise :class:`HtmlParseError` with Telegram's message if invalid."""
    out: list[str] = []
    utf16_offset = 0
    entities: list[dict[str, Any]] = []
    stack: list[_OpenTag] = []
    n = len(source)
    i = 0

    def at(k: int) -> str:
        # Mimics reading tdlib's NUL-terminated buffer: past the end reads as "\0".
        return source[k] if k < n else "\0"

    while i < n:
        ch = source[i]
        if ch == "&":
            decoded = _decode_entity(source, i)
            if decoded is not None:
                char, i = decoded
                out.append(char)
                utf16_offset += utf16_len(char)
                continue
        if ch != "<":
            out.append(ch)
            utf16_offset += 2 if ord(ch) > 0xFFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while i < n and at(i) not in _SPACES and at(i) != ">":
                i += 1
            if i >= n:
                raise HtmlParseError(
                    f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                )
            tag = source[begin + 1 : i].lower()
            if tag not in _ALL_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
                )
            argument = ""
            has_expandable = False
            while at(i) != ">":
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attr_begin = i
                while i < n and at(i) not in _SPACES and at(i) not in "=>":
                    i += 1
                attr_name = source[attr_begin:i]
                if not attr_name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset '
                        f"{_byte_offset(source, begin)}"
                    )
                while i < n and at(i) in _SPACES:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr_name == "expandable":
                        has_expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {_byte_offset(source, begin)}'
                    )
                i += 1
                while i < n and at(i) in _SPACES:
                    i += 1
                if i >= n:
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
                    )
                value_chars: list[str] = []
                if at(i) not in "'\"":
                    # An unquoted name token: letters, digits, '.' and '-', case-insensitive.
                    token_begin = i
                    while i < n and ((at(i).isascii() and at(i).isalnum()) or at(i) in ".-"):
                        i += 1
                    value = source[token_begin:i].lower()
                    if at(i) not in _SPACES and at(i) != ">":
                        raise HtmlParseError(
                            "Unexpected end of name token at byte offset "
                            f"{_byte_offset(source, token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    while i < n and at(i) != quote:
                        if at(i) == "&":
                            decoded = _decode_entity(source, i)
                            if decoded is not None:
                                value_chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        value_chars.append(at(i))
                        i += 1
                    if at(i) != quote:
                        raise HtmlParseError(
                            f"Unclosed start tag at byte offset {_byte_offset(source, begin)}"
                        )
                    i += 1
                    value = "".join(value_chars)
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    'Tag "span" must have class "tg-spoiler" at byte offset '
                    f"{_byte_offset(source, begin)}"
                )
            if tag == "tg-emoji" and not argument.isdigit():
                raise HtmlParseError(
                    f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                    f"{_byte_offset(source, begin)}"
                )
            if tag == "blockquote" and has_expandable:
                argument = "expandable"
            stack.append(_OpenTag(tag, argument, utf16_offset, len(out)))
            i += 1  # skip '>'
        else:
            if not stack:
                raise HtmlParseError(
                    f"Unexpected end tag at byte offset {_byte_offset(source, begin)}"
                )
            i += 1  # skip '/'
            while i < n and at(i) not in _SPACES and at(i) != ">":
                i += 1
            end_tag = source[begin + 2 : i].lower()
            while i < n and at(i) in _SPACES:
                i += 1
            if at(i) != ">":
                raise HtmlParseError(
                    f"Unclosed end tag at byte offset {_byte_offset(source, begin)}"
                )
            i += 1
            opened = stack.pop()
            if end_tag and end_tag != opened.name:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                    f'expected "</{opened.name}>", found "</{end_tag}>"'
                )
            length = utf16_offset - opened.utf16_offset
            if length > 0:
                entity = _make_entity(opened, length, "".join(out[opened.text_offset :]))
                if entity is not None:
                    entities.append(entity)

    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText("".join(out), _merge_pre_code(entities))


def _make_entity(tag: _OpenTag, length: int, inner_text: str) -> dict[str, Any] | None:
    entity: dict[str, Any] = {"offset": tag.utf16_offset, "length": length}
    if tag.name == "a":
        url = tag.argument or inner_text
        if url.startswith("tg://user?id="):
            entity["type"] = "text_mention"
            entity["user"] = {"id": int(url.removeprefix("tg://user?id=") or 0)}
        else:
            entity["type"] = "text_link"
            entity["url"] = url
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = tag.argument
    elif tag.name == "blockquote" and tag.argument == "expandable":
        entity["type"] = "expandable_blockquote"
    else:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        if tag.name in ("code", "pre") and tag.argument:
            entity["language"] = tag.argument
    return entity


def _merge_pre_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``<pre><code class="language-x">`` is one pre entity with a language, as in Telegram."""
    merged: list[dict[str, Any]] = []
    for entity in entities:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and {previous["type"], entity["type"]} == {"pre", "code"}
            and (previous["offset"], previous["length"]) == (entity["offset"], entity["length"])
        ):
            code = previous if previous["type"] == "code" else entity
            pre: dict[str, Any] = {"offset": entity["offset"], "length": entity["length"]}
            pre["type"] = "pre"
            if "language" in code:
                pre["language"] = code["language"]
            merged[-1] = pre
            continue
        merged.append(entity)
    return merged
