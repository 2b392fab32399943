"""Escaping at the output edges: data shown in Markdown or on a terminal is never read as markup.

Document text, ids, file names, reasons, labels and error messages come from inputs and
plugins. Before they reach a Markdown file or a terminal they go through one of these
functions, so a backtick, a `<script>`, a Rich `[link=...]` tag or an ESC sequence shows as
the characters it is made of and never changes what the reader sees elsewhere.
"""

from __future__ import annotations

import re

from rich.text import Text

# C0 controls, DEL and C1 controls: ESC starts colour, title and hyperlink sequences, CR and
# BS overwrite what was printed, and the C1 CSI/OSC (0x9b, 0x9d) act like ESC[ and ESC] on
# some terminals.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# What Markdown reads inline: escapes, code, emphasis, links and images, table pipes,
# strikethrough. An underscore between two letters or digits cannot start emphasis and is left
# alone, so `removed_by_reason` and `total.kept_fraction` stay readable in the raw card.
_MARKDOWN_INLINE = re.compile(r"[\\`*\[\]|~]|(?<![^\W_])_|_(?![^\W_])")
# What Markdown reads at the start of a line (headings, lists; quotes are entities below) and at
# its end (the closing #s of a heading).
_MARKDOWN_LINE_START = re.compile(r"^(?:[#+\-=]|\d+(?=[.)]))")
_MARKDOWN_LINE_END = re.compile(r"(?<![#\\])#(?=#*$)")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}


def _picture(match: re.Match[str]) -> str:
    """The visible stand-in of a control character: its Unicode control picture, or U+FFFD."""
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def terminal(value: object, multiline: bool = False) -> str:
    """`value` as text a terminal shows literally: control characters become visible pictures
    (ESC as ␛, BEL as ␇); with `multiline`, newlines and tabs are kept."""
    text = str(value)
    if multiline:
        text = text.replace("\r\n", "\n")
        return "\n".join(_CONTROL.sub(_keep_tab, line) for line in text.split("\n"))
    return _CONTROL.sub(_picture, text)


def _keep_tab(match: re.Match[str]) -> str:
    return "\t" if match.group() == "\t" else _picture(match)


def terminal_text(value: object, style: str = "", multiline: bool = False) -> Text:
    """`value` as a Rich Text: printed as it is, never parsed for markup or emoji codes."""
    return Text(terminal(value, multiline), style=style)


def markdown_text(value: object) -> str:
    """`value` as Markdown text that renders as exactly these characters, on one line, anywhere
    a line of text can go: a paragraph, a heading, a list item or a table cell."""
    text = _CONTROL.sub(_picture, _LINE_BREAK.sub(" ", str(value)))
    text = _MARKDOWN_INLINE.sub(lambda match: "\\" + match.group(), text)
    text = _MARKDOWN_LINE_START.sub(_escape_line_start, text)
    text = _MARKDOWN_LINE_END.sub(r"\\#", text)
    text = "".join(_HTML.get(char, char) for char in text)
    # Four leading spaces would start a code block; an entity is not indentation.
    return "&#32;" + text[1:] if text.startswith(" ") else text


def _escape_line_start(match: re.Match[str]) -> str:
    """`# x` -> `\\# x`, `1. x` -> `1\\. x`: a heading or list marker read as text."""
    marker = match.group()
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def markdown_code(value: object) -> str:
    """`value` as a Markdown code span that no content can end early, on one line. Not for
    table cells, where a pipe splits the cell even inside code: use `markdown_text` there."""
    text = _CONTROL.sub(_picture, _LINE_BREAK.sub(" ", str(value)))
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "  # CommonMark strips one space on each side, and needs one next to a `
    return f"{fence}{text}{fence}"
