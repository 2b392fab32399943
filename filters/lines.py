"""Line-level quality filters' shared machinery: lines over Arrow list kernels, per-language values.

C4 and FineWeb judge a document by its lines. `split_lines` cuts a whole text column into one
flat array of lines, each with its document's index, so every per-line measure is one Arrow
kernel or numpy call over all the lines of a batch; `Lines.per_doc` sums back per document
(`np.bincount`) and `Lines.join` rebuilds each document from the lines kept, in order. No
Python code runs per document or per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, create_model

from filters.base import Filter, Read
from filters.languages import language_codes
from filters.text import utf8_buffer

# What Python's str.strip() and str.split() take for whitespace (all of it is below U+3001).
PYTHON_WHITESPACE = "".join(char for char in map(chr, range(0x3001)) if char.isspace())
# The line breaks of str.splitlines() other than "\n" (C4 splits lines that way; "\r\n" is one).
OTHER_LINE_BREAKS = r"\r\n|[\r\x0b\x0c\x1c-\x1e\x{85}\x{2028}\x{2029}]"

# Unicode's Sentence_Terminal characters (Unicode 16): the full stops, question and exclamation
# marks of every script (Latin . ! ?, CJK 。！？｡．, Devanagari । ॥, Arabic ؟ ۔, Armenian ։,
# Ethiopic ።, Myanmar ။, Khmer ។ ...), as code point ranges.
_SENTENCE_TERMINAL_RANGES = (
    "0021 002E 003F 0589 061D-061F 06D4 0700-0702 07F9 0837 0839 083D-083E 0964-0965 104A-104B "
    "1362 1367-1368 166E 1735-1736 17D4-17D5 1803 1809 1944-1945 1AA8-1AAB 1B4E-1B4F 1B5A-1B5B "
    "1B5E-1B5F 1B7D-1B7F 1C3B-1C3C 1C7E-1C7F 2024 203C-203D 2047-2049 2CF9-2CFB 2E2E 2E3C "
    "2E53-2E54 2E60-2E61 3002 A4FF A60E-A60F A6F3 A6F7 A876-A877 A8CE-A8CF A92F A9C8-A9C9 "
    "AA5D-AA5F AAF0-AAF1 ABEB FE12 FE15-FE16 FE52 FE56-FE57 FF01 FF0E FF1F FF61 10A56-10A57 "
    "10F55-10F59 10F86-10F89 11047-11048 110BE-110C1 11141-11143 111C5-111C6 111CD 111DE-111DF "
    "11238-11239 1123B-1123C 112A9 113D4-113D5 1144B-1144C 115C2-115C3 115C9-115D7 11641-11642 "
    "1173C-1173E 11944 11946 11A42-11A43 11A9B-11A9C 11C41-11C42 11EF7-11EF8 11F43-11F44 "
    "16A6E-16A6F 16AF5 16B37-16B38 16B44 16D6E-16D6F 16E98 1BC9F 1DA88"
)


def _expand(ranges: str) -> str:
    chars = []
    for item in ranges.split():
        low, _, high = item.partition("-")
        chars.extend(map(chr, range(int(low, 16), int(high or low, 16) + 1)))
    return "".join(chars)


SENTENCE_TERMINALS = _expand(_SENTENCE_TERMINAL_RANGES)
# Closing quotation marks other than the straight ones, which may follow a sentence's end
# (“… done.” «… fini.» 「…した。」).
CLOSING_QUOTES = "\u2019\u201d\u00bb\u203a\u300d\u300f\ufe42\ufe44\uff02\uff07"
ELLIPSES = ("...", "\u2026")


def re2_class(chars: str) -> str:
    """A RE2 character class body matching exactly `chars` (every character escaped)."""
    return "".join(f"\\x{{{ord(char):x}}}" for char in chars)


@dataclass
class Lines:
    """Every line of a batch of documents as one flat array.

    `values[i]` is a line of document `doc[i]`; the lines of document d are
    `values[offsets[d]:offsets[d + 1]]`, in their order in the text.
    """

    values: pa.Array
    doc: np.ndarray
    offsets: np.ndarray

    @property
    def docs(self) -> int:
        return len(self.offsets) - 1

    def per_doc(self, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """The sum of `values` (one per line) over each document's lines (those in `where`)."""
        doc = self.doc if where is None else self.doc[where]
        values = values if where is None else values[where]
        return np.bincount(doc, weights=values, minlength=self.docs)

    def count(self, where: np.ndarray) -> np.ndarray:
        """How many of each document's lines are in `where` (a boolean per line)."""
        return np.bincount(self.doc[where], minlength=self.docs)

    def first(self, where: np.ndarray) -> np.ndarray:
        """The index of each document's first line in `where`, -1 for documents without one."""
        found = np.flatnonzero(where)
        first = np.full(self.docs, -1, np.int64)
        docs, at = np.unique(self.doc[found], return_index=True)
        first[docs] = found[at]
        return first

    def join(self, values: pa.Array, keep: np.ndarray, separator: str = "\n") -> pa.Array:
        """Each document rebuilt from its lines in `keep` (`values`, one per line), in order."""
        kept = values.filter(pa.array(keep))
        offsets = np.zeros(self.docs + 1, np.int64)
        np.cumsum(self.count(keep), out=offsets[1:])
        if pa.types.is_large_string(kept.type):
            lists = pa.LargeListArray.from_arrays(pa.array(offsets), kept)
        else:
            lists = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), kept)
        return pc.binary_join(lists, pa.scalar(separator, kept.type))


def split_lines(text: pa.Array, breaks: Literal["universal", "newline"]) -> Lines:
    """The lines of every document (a null document has one empty line).

    `newline` splits at "\\n" only (FineWeb's `text.split("\\n")`); `universal` also at the
    other breaks of Python's `str.splitlines()` ("\\r\\n" as one), as C4 does.
    """
    text = text.fill_null("")
    if breaks == "universal":
        text = _newlines_only(text)
    lists = pc.split_pattern(text, "\n")
    offsets = lists.offsets.to_numpy().astype(np.int64)
    offsets = offsets - offsets[0]
    doc = np.repeat(np.arange(len(text), dtype=np.int64), np.diff(offsets))
    return Lines(values=pc.list_flatten(lists), doc=doc, offsets=offsets)


def _newlines_only(text: pa.Array) -> pa.Array:
    """`text` with every line break of str.splitlines() written as "\\n" (regex only where needed)."""
    other = pc.match_substring_regex(text, OTHER_LINE_BREAKS)
    if not pc.any(other).as_py():
        return text
    replaced = pc.replace_substring_regex(text.filter(other), OTHER_LINE_BREAKS, "\n")
    return pc.replace_with_mask(text, other, replaced)


# Bytes of the UTF-8 whitespace characters str.split() splits at, by their lead byte.
_ASCII_SPACE = np.zeros(256, bool)
_ASCII_SPACE[[ord(char) for char in PYTHON_WHITESPACE if ord(char) < 0x80]] = True
_WIDE_SPACES = [char.encode() for char in PYTHON_WHITESPACE if ord(char) >= 0x80]


def whitespace_chunks(lines: pa.Array) -> np.ndarray:
    """How many whitespace-separated chunks each string holds (Python's `len(s.split())`), in numpy
    over the UTF-8 buffer: a regex count runs at a tenth of the speed."""
    data, offsets = utf8_buffer(lines)
    data = data[offsets[0]:offsets[-1]]
    offsets = offsets - offsets[0]
    space = _ASCII_SPACE[data]
    wide = np.flatnonzero((data == 0xC2) | ((data >= 0xE1) & (data <= 0xE3)))
    for encoded in _WIDE_SPACES:
        at = wide[data[wide] == encoded[0]]
        for k, byte in enumerate(encoded[1:], start=1):
            at = at[at + k < len(data)]
            at = at[data[at + k] == byte]
        for k in range(len(encoded)):
            space[at + k] = True
    # A chunk starts at a non-space byte after a space byte or at the start of a string.
    starts = ~space
    starts[1:] &= space[:-1]
    line_starts = offsets[:-1][np.diff(offsets) > 0]
    starts[line_starts] = ~space[line_starts]
    line_of = np.searchsorted(offsets, np.flatnonzero(starts), side="right") - 1
    return np.bincount(line_of, minlength=len(offsets) - 1)


def max_chunk_chars(lines: pa.Array) -> np.ndarray:
    """The length in characters of each string's longest whitespace-separated chunk (0 if none)."""
    chunks = pc.utf8_split_whitespace(lines)
    lengths = pc.utf8_length(pc.list_flatten(chunks)).to_numpy(zero_copy_only=False)
    longest = np.zeros(len(lines), np.int64)
    np.maximum.at(longest, pc.list_parent_indices(chunks).to_numpy(), lengths)
    return longest


# --------------------------------------------------------------------------- per-language values


class PerLanguage(Protocol):
    """The parameters of a filter with per-language values: `by_lang` and where languages come from."""

    by_lang: dict[str, BaseModel]
    lang_column: str
    lang_source: Literal["chain", "input"]


def lang_column_field() -> Any:
    return Field("lang", description="column holding each document's language")


def lang_source_field() -> Any:
    return Field("chain", description="chain: the column an earlier filter (langid) writes; input: the "
                                      "input's column, its values checked against the language codes")


def by_lang_field(example: str) -> Any:
    return Field(default_factory=dict,
                 description=f"per-language values of the parameters above, e.g. {example}; needs a "
                             "language column (langid before it, or lang_source: input)")


def overrides_model(name: str, rules: type[BaseModel], fields: tuple[str, ...]) -> type[BaseModel]:
    """A model of optional per-language values for `fields` of `rules` (same types and bounds)."""
    spec: dict[str, Any] = {}
    for field in fields:
        info = rules.model_fields[field]
        kind = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        spec[field] = (kind | None, Field(None, description=info.description))
    return create_model(name, __config__=ConfigDict(extra="forbid", frozen=True), __module__=rules.__module__,
                        **spec)


def language_reads(flt: Filter, params: PerLanguage, fallback: str) -> tuple[Read, ...]:
    """The language column `flt` reads: needed with `by_lang`, else only used where present."""
    if params.by_lang:
        return (Read(params.lang_column, params.lang_source, key="by_lang",
                     instead="set lang_source: input"),)
    if params.lang_source == "input":
        return (Read(params.lang_column, "input", key="lang_source"),)
    return (Read(params.lang_column, fallback=fallback),)


def row_languages(flt: Filter, params: PerLanguage, batch: pa.RecordBatch) -> np.ndarray | None:
    """Each row's language code (None where unknown), or None when the batch has no language column."""
    column = params.lang_column
    if params.lang_source == "chain":
        # Planned: only a column an earlier filter writes, never an input column of that name.
        present = flt.upstream if flt.upstream is not None else batch.schema.names
        if column not in present:
            return None
    if column not in batch.schema.names:
        return None
    known = frozenset(params.by_lang)
    return language_codes(batch.column(column), known).codes


def row_languages_or(flt: Filter, params: PerLanguage, batch: pa.RecordBatch, default: str) -> np.ndarray:
    """Each row's language code, `default` where it is unknown or the batch has no language column."""
    codes = row_languages(flt, params, batch)
    if codes is None:
        return np.full(batch.num_rows, default, dtype=object)
    return np.where(np.equal(codes, None), default, codes)


def row_values(params: PerLanguage, fields: tuple[str, ...], codes: np.ndarray | None,
               rows: int) -> dict[str, np.ndarray]:
    """Each field's value for every row: the parameter, or the row's language override."""
    values = {field: np.full(rows, getattr(params, field)) for field in fields}
    if codes is None:
        return values
    for lang, override in params.by_lang.items():
        chosen = codes == lang
        if chosen.any():
            for field, value in override.model_dump(exclude_none=True).items():
                values[field][chosen] = value
    return values
