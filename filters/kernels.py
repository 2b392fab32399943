"""The hot loops of filters/words.py and gopher_repetition compiled with numba: same results as their numpy.

Also MinHash signing's token stream, n-grams and permutation minima (filters/shingles.py,
filters/minhash_signing.py). Imported on first use; where numba (a dependency) cannot be
imported, the numpy code runs. Each loop walks one document at a time where
numpy needs dozens of whole-array passes (and, for datatrove's duplicate n-gram walk,
hundreds of small steps). Compiled code is cached next to this module (numba's `cache=True`:
about 0.5 s to load in a new process against seconds to compile); where that folder is
read-only numba uses its user-wide cache folder, and where no cache can be written at all
the loops are compiled in memory.
"""

from __future__ import annotations

import numba
import numpy as np

# Multiplier spreading a 64-bit n-gram hash over the slots of a table (Fibonacci hashing).
SLOT_MIX = np.uint64(0x9E3779B97F4A7C15)
# filters/words.py's character classes (the kernel reads them as numbers).
SPACE, WORD, SINGLE, MARK, PUNCT, DOT, APOSTROPHE, INFIX = range(8)


def _jit(function):
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # no cache folder can be written
        return numba.njit(nogil=True)(function)


# --------------------------------------------------------------------------- words


@_jit
def _decode(data, start, end, spaced, table, points, starts, classes):
    """Fill (code point, byte start, class) of the characters of data[start:end]; their count."""
    count = 0
    last = len(data) - 1
    for at in range(start, end):
        lead = np.int32(data[at])
        if (lead & 0xC0) == 0x80:
            continue
        value = lead
        if lead >= 0x80:
            width = 2 if lead < 0xE0 else (3 if lead < 0xF0 else 4)
            value = lead & (0x1F if width == 2 else (0x0F if width == 3 else 0x07))
            for k in range(1, width):
                value = (value << 6) | (np.int32(data[min(at + k, last)]) & 0x3F)
            value = min(value, 0x10FFFF)
        points[count] = value
        starts[count] = at
        kind = table[value]
        classes[count] = WORD if kind == SINGLE and spaced else kind
        count += 1
    return count


@_jit
def _is_digit(point):
    return 48 <= point <= 57


@_jit
def _boundaries(points, classes, letters, not_prefix, not_suffix, not_suffix_after_digit, emoticon_pairs,
                code_points, boundary, symbol):
    """filters.words._boundaries for one document, one character run at a time: fills (word starts
    here, split-off symbol) for its characters."""
    n = len(points)
    for i in range(n):
        boundary[i] = classes[i] != SPACE and (i == 0 or classes[i - 1] == SPACE)
        symbol[i] = False
    i = 0
    while i < n:
        if classes[i] < PUNCT:
            i += 1
            continue
        run_first = i
        while i + 1 < n and classes[i + 1] >= PUNCT:
            i += 1
        run_last = i
        i += 1
        before = SPACE if run_first == 0 else classes[run_first - 1]
        after = SPACE if run_last == n - 1 else classes[run_last + 1]
        wordlike_before = before in (WORD, MARK)
        wordlike_after = after in (WORD, MARK)
        opening = True
        for k in range(run_first, run_last + 1):
            if not not_prefix[points[k]]:
                opening = False
        lone = False
        if points[run_first] == 46 and run_first == run_last and after == SPACE and before == WORD:
            lone = run_first == 1 or classes[run_first - 2] == SPACE
        glued = wordlike_after and (wordlike_before or (opening and before == SPACE)) or lone
        trailing = wordlike_before and after == SPACE
        last_stay = -1
        if trailing:
            for k in range(run_first, run_last + 1):
                code = points[k]
                if not_suffix_after_digit[code] if _is_digit(points[k - 1]) else not_suffix[code]:
                    last_stay = k
        previous_started = False
        for k in range(run_first, run_last + 1):
            code = points[k]
            if glued or (trailing and k <= last_stay):
                previous_started = False
                kind = classes[k]
                if kind == APOSTROPHE:
                    boundary[k] = True
                infix = (kind == INFIX and k > 0 and classes[k - 1] == WORD and k < n - 1
                         and classes[k + 1] == WORD and letters[points[k + 1]])
                math = (code in (42, 43, 45, 94) and 0 < k < n - 1 and _is_digit(points[k - 1])
                        and (_is_digit(points[k + 1]) or points[k + 1] == 45))
                if infix or math:
                    boundary[k] = True
                    symbol[k] = True
                    boundary[k + 1] = True
                continue
            previous = points[max(k - 1, 0)]
            started = not ((code == 46 or code == 45) and previous == code and k > 0)
            if started:
                paired = False
                if previous_started and k > 0:
                    pair = np.int64(previous) * code_points + code
                    for known in emoticon_pairs:
                        if known == pair:
                            paired = True
                if not paired:
                    boundary[k] = True
                    symbol[k] = True
            previous_started = started
            if k < n - 1 and classes[k + 1] != SPACE and classes[k + 1] < PUNCT:
                boundary[k + 1] = True
    for i in range(n):
        if classes[i] == SINGLE:
            boundary[i] = True
            if i < n - 1 and classes[i + 1] == WORD:
                boundary[i + 1] = True
    for i in range(n):
        if classes[i] == MARK and i > 0 and classes[i - 1] != SPACE:
            boundary[i] = False


@_jit
def _grown(array, capacity):
    grown = np.empty(capacity, array.dtype)
    grown[:len(array)] = array
    return grown


@_jit
def _tokenize(data, offsets, segmented, table, letters, not_prefix, not_suffix, not_suffix_after_digit,
              emoticon_pairs, code_points):
    """The words of every row (document, characters, has a letter, is a symbol) and their UTF-8
    bytes: each row decoded, cut and written out in turn (its arrays stay in cache)."""
    rows = len(offsets) - 1
    longest = 0
    for row in range(rows):
        longest = max(longest, offsets[row + 1] - offsets[row])
    points = np.empty(longest, np.int32)
    starts = np.empty(longest + 1, np.int64)
    classes = np.empty(longest, np.uint8)
    boundary = np.empty(longest, np.bool_)
    symbol = np.empty(longest, np.bool_)
    # Room for a word per 4 bytes, grown when short and cut to size at the end: arrays of a
    # word per byte would be fresh (page-faulting) memory on every batch.
    size = offsets[rows] - offsets[0]
    capacity = size // 4 + longest + 1
    word_doc = np.empty(capacity, np.int32)
    chars = np.empty(capacity, np.int64)
    letter = np.empty(capacity, np.bool_)
    word_symbol = np.empty(capacity, np.bool_)
    string_offsets = np.empty(capacity + 1, np.int64)
    kept = np.empty(size, np.uint8)
    counts = np.zeros(rows, np.int64)
    words = 0
    written = 0
    for row in range(rows):
        n = _decode(data, offsets[row], offsets[row + 1], segmented[row], table, points, starts, classes)
        starts[n] = offsets[row + 1]
        _boundaries(points[:n], classes[:n], letters, not_prefix, not_suffix, not_suffix_after_digit,
                    emoticon_pairs, code_points, boundary, symbol)
        if words + n > capacity:  # at most a word per character
            capacity = 2 * capacity + n
            word_doc = _grown(word_doc, capacity)
            chars = _grown(chars, capacity)
            letter = _grown(letter, capacity)
            word_symbol = _grown(word_symbol, capacity)
            string_offsets = _grown(string_offsets, capacity + 1)
        found, written = _emit(data, n, points, starts, classes, boundary, symbol, letters, row, words,
                               written, word_doc, chars, letter, word_symbol, string_offsets, kept)
        counts[row] = found
        words += found
    string_offsets[words] = written
    return (word_doc[:words], counts, chars[:words], letter[:words], word_symbol[:words], kept[:written],
            string_offsets[:words + 1])


@_jit
def _emit(data, n, points, starts, classes, boundary, symbol, letters, row, words, written,
          word_doc, chars, letter, word_symbol, string_offsets, kept):
    """Write out one row's words from `words` on and their bytes from `written` on: (words, bytes end)."""
    word = words - 1
    length, has_letter = 0, False  # of the current word, written when it ends
    for i in range(n):
        if classes[i] == SPACE:
            continue
        if boundary[i]:
            if length:
                chars[word], letter[word] = length, has_letter
            word += 1
            word_doc[word] = row
            word_symbol[word] = symbol[i]
            string_offsets[word] = written
            length, has_letter = 0, False
        length += 1
        has_letter = has_letter or letters[points[i]]
        if starts[i + 1] - starts[i] == 1:
            kept[written] = data[starts[i]]
            written += 1
        else:
            for at in range(starts[i], starts[i + 1]):
                kept[written] = data[at]
                written += 1
    if length:
        chars[word], letter[word] = length, has_letter
    return word + 1 - words, written


def tokenize_rows(data: np.ndarray, offsets: np.ndarray, segmented: np.ndarray, tables: tuple) -> tuple:
    """filters.words._tokenize_rows' arrays (doc, counts, chars, letter, symbol, bytes, offsets) for
    the UTF-8 `data` of rows cut at `offsets`; `tables` are filters.words' lookup tables."""
    return _tokenize(data, offsets.astype(np.int64), segmented, *tables)


# --------------------------------------------------------------------------- tables


@_jit
def _table_bits(entries):
    """log2 of the size of an open-addressing table for this many entries (at most half full)."""
    bits = 1
    while (1 << bits) < 2 * entries + 2:
        bits += 1
    return bits


# --------------------------------------------------------------------------- lines


@_jit
def _same_bytes(data, first, second, length):
    """Whether data[first:first + length] equals data[second:second + length]."""
    for k in range(length):  # noqa: SIM110 - numba compiles the loop, not all() of a generator
        if data[first + k] != data[second + k]:
            return False
    return True


@_jit
def _is_blank(data, at, end):
    """Width of the character at `at` when it is a space, tab, form feed, vertical tab or
    no-break space (BULLET_LINE's leading class), else 0."""
    byte = data[at]
    if byte == 32 or byte == 9 or byte == 12 or byte == 11:
        return 1
    if byte == 0xC2 and at + 1 < end and data[at + 1] == 0xA0:
        return 2
    return 0


@_jit
def _text_counts(data, offsets):
    """Per document: '#', ellipses ('...' without overlap, and '…'), lines as str.splitlines()
    counts them for \n, \r\n and \r, lines starting with a bullet and lines ending with an
    ellipsis (gopher_quality's BULLET_LINE and ELLIPSIS_LINE, one match per \n-line at most)."""
    rows = len(offsets) - 1
    counts = np.zeros((5, rows))
    for row in range(rows):
        start, end = offsets[row], offsets[row + 1]
        hashes = ellipses = breaks = bullets = ellipsis_lines = 0
        line = start
        at = start
        while at <= end:
            if at == end or data[at] == 10:
                # The \n-line [line, at): a bullet after blanks; an ellipsis before trailing blanks or \r.
                k = line
                while k < at:
                    width = _is_blank(data, k, at)
                    if not width:
                        break
                    k += width
                if k < at and (data[k] == 45 or (data[k] == 0xE2 and k + 2 < at and data[k + 1] == 0x80
                                                 and data[k + 2] == 0xA2)):
                    bullets += 1
                k = at
                while k > line:
                    if data[k - 1] in (32, 9, 13, 12, 11):
                        k -= 1
                    elif k - 2 >= line and data[k - 2] == 0xC2 and data[k - 1] == 0xA0:
                        k -= 2
                    else:
                        break
                if k - 3 >= line:
                    dots = data[k - 1] == 46 and data[k - 2] == 46 and data[k - 3] == 46
                    if dots or (data[k - 3] == 0xE2 and data[k - 2] == 0x80 and data[k - 1] == 0xA6):
                        ellipsis_lines += 1
                line = at + 1
                if at == end:
                    break
            byte = data[at]
            if byte == 35:
                hashes += 1
            elif byte == 46 and at + 2 < end and data[at + 1] == 46 and data[at + 2] == 46:
                ellipses += 1
                at += 3
                continue
            elif byte == 0xE2 and at + 2 < end and data[at + 1] == 0x80 and data[at + 2] == 0xA6:
                ellipses += 1
            elif byte == 10 or (byte == 13 and not (at + 1 < end and data[at + 1] == 10)):
                breaks += 1
            at += 1
        if end == start or (data[end - 1] != 10 and data[end - 1] != 13):
            breaks += 1
        counts[0, row] = hashes
        counts[1, row] = ellipses
        counts[2, row] = breaks
        counts[3, row] = bullets
        counts[4, row] = ellipsis_lines
    return counts


def text_counts(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Rows hashes, ellipses, lines, bullet lines, ellipsis lines; a column per document."""
    return _text_counts(data, offsets.astype(np.int64))


@_jit
def _piece_repeats(data, offsets, paragraphs):
    """Per document (rows): pieces, pieces equal to an earlier piece of the document, and their
    characters. Pieces are lines (split at each \n; empty ones count only at either end) or, with
    `paragraphs`, the text between runs of two or more \n (all count)."""
    rows = len(offsets) - 1
    result = np.zeros((3, rows))
    longest = 1
    for row in range(rows):
        longest = max(longest, offsets[row + 1] - offsets[row] + 1)
    slot_start = np.full(1 << _table_bits(longest), -1, np.int64)
    slot_end = np.zeros(1 << _table_bits(longest), np.int64)
    slot_hash = np.zeros(1 << _table_bits(longest), np.uint64)
    used = np.zeros(longest, np.int64)
    for row in range(rows):
        start, end = offsets[row], offsets[row + 1]
        bits = _table_bits(end - start + 1)  # pieces are at most bytes + 1
        mask = (1 << bits) - 1
        filled = 0
        piece = start
        while True:
            # Find the end of the piece starting at `piece` and the start of the next.
            at = piece
            while at < end and (data[at] != 10 or (paragraphs and (at + 1 == end or data[at + 1] != 10))):
                at += 1
            following = at + 1
            if paragraphs and at < end:
                while following < end and data[following] == 10:
                    following += 1
            last = at >= end
            if paragraphs or at > piece or piece == start or last:
                hashed = np.uint64(0xCBF29CE484222325)
                chars = 0
                for k in range(piece, at):
                    hashed = (hashed ^ np.uint64(data[k])) * np.uint64(0x100000001B3)
                    chars += (data[k] & 0xC0) != 0x80
                slot = np.int64((hashed * SLOT_MIX) >> np.uint64(64 - bits))
                repeat = False
                while slot_start[slot] >= 0:
                    if (slot_hash[slot] == hashed and slot_end[slot] - slot_start[slot] == at - piece
                            and _same_bytes(data, slot_start[slot], piece, at - piece)):
                        repeat = True
                        break
                    slot = (slot + 1) & mask
                if not repeat:
                    slot_start[slot] = piece
                    slot_end[slot] = at
                    slot_hash[slot] = hashed
                    used[filled] = slot
                    filled += 1
                result[0, row] += 1
                if repeat:
                    result[1, row] += 1
                    result[2, row] += chars
            if last:
                break
            piece = following
        for i in range(filled):
            slot_start[used[i]] = -1
    return result


def piece_repeats(data: np.ndarray, offsets: np.ndarray, paragraphs: bool) -> np.ndarray:
    """Rows pieces, repeated pieces, their characters; a column per document (see `_piece_repeats`)."""
    return _piece_repeats(data, offsets.astype(np.int64), paragraphs)


# --------------------------------------------------------------------------- n-grams


@_jit
def _n_gram_measures(ids, counts, chars, want_top, want_dup, base):
    """(top, dup): per n (rows of the tables) and document, the characters of its most frequent
    n-gram (words joined by spaces) times its count (NaN: fewer than n words), and of the
    n-grams datatrove's walk finds repeated (the words' own characters). See gopher_repetition."""
    sizes = len(want_top)
    rows = len(counts)
    top = np.full((sizes, rows), np.nan)
    dup = np.zeros((sizes, rows))
    longest = 0
    for row in range(rows):
        longest = max(longest, counts[row])
    table_keys = np.zeros(1 << _table_bits(longest), np.uint64)
    table_count = np.zeros(1 << _table_bits(longest), np.int64)
    seen = np.zeros(1 << _table_bits(longest), np.bool_)
    key = np.zeros(longest, np.uint64)
    # The positions whose n-gram may repeat (its (n-1)-gram does), in order, and their slots.
    candidates = np.zeros(longest, np.int64)
    slot = np.zeros(longest, np.int64)
    prefix = np.zeros(longest + 1, np.int64)
    used = np.zeros(longest, np.int64)
    first_word = 0
    for row in range(rows):
        size = counts[row]
        words = ids[first_word:first_word + size]
        for i in range(size):
            key[i] = np.uint64(words[i])
            candidates[i] = i
            prefix[i + 1] = prefix[i] + chars[first_word + i]
        first_word += size
        left = size
        bits = _table_bits(size)  # a small table for a small document
        shift = np.uint64(64 - bits)
        for n in range(2, sizes):
            positions = size - n + 1
            if positions <= 0:
                break
            while left and candidates[left - 1] >= positions:
                left -= 1
            # Count the candidates' n-grams (an n-gram whose (n-1)-gram is unique is unique too):
            # equal rolled hashes of word ids are equal n-grams, as in the numpy code.
            filled = 0
            for j in range(left):
                p = candidates[j]
                key[p] = key[p] * base + np.uint64(words[p + n - 1])
                at = np.int64((key[p] * SLOT_MIX) >> shift)
                while table_count[at] and table_keys[at] != key[p]:
                    at = (at + 1) & ((1 << bits) - 1)
                if not table_count[at]:
                    table_keys[at] = key[p]
                    used[filled] = at
                    filled += 1
                table_count[at] += 1
                slot[j] = at
            if want_top[n]:
                # The first n-gram (by position) of the largest count (collections.Counter.most_common);
                # all other n-grams occur once.
                best, best_at = 1, 0
                for j in range(left):
                    if table_count[slot[j]] > best:
                        best, best_at = table_count[slot[j]], candidates[j]
                top[n, row] = best * (prefix[best_at + n] - prefix[best_at] + n - 1)
            if want_dup[n]:
                # datatrove's walk: a repeat adds its characters and skips n words, else one word on;
                # only candidates can repeat, so it steps from one to the next.
                total, j = 0, 0
                while j < left:
                    p = candidates[j]
                    if seen[slot[j]]:
                        total += prefix[p + n] - prefix[p]
                        while j < left and candidates[j] < p + n:
                            j += 1
                    else:
                        seen[slot[j]] = True
                        j += 1
                dup[n, row] = total
            kept = 0
            for j in range(left):
                if table_count[slot[j]] > 1:
                    candidates[kept] = candidates[j]
                    kept += 1
            left = kept
            for i in range(filled):
                table_count[used[i]] = 0
                seen[used[i]] = False
    return top, dup


def n_gram_measures(ids: np.ndarray, counts: np.ndarray, chars: np.ndarray, top_sizes: set[int],
                    dup_sizes: set[int], base: np.uint64) -> tuple[np.ndarray, np.ndarray]:
    """(top, dup) tables indexed [n, document] for the words of a batch (see `_n_gram_measures`);
    n-gram hashes roll word ids with the odd multiplier `base`."""
    sizes = 1 + max(top_sizes | dup_sizes, default=1)
    want_top, want_dup = np.zeros(sizes, np.bool_), np.zeros(sizes, np.bool_)
    want_top[list(top_sizes)] = True
    want_dup[list(dup_sizes)] = True
    return _n_gram_measures(ids.astype(np.int64), counts.astype(np.int64), chars.astype(np.int64),
                            want_top, want_dup, base)


# --------------------------------------------------------------------------- shingles

# A code point's part in filters/shingles.py's token stream (its `_stream_table`).
SEPARATOR, ORDINARY, CJK = range(3)
FNV_OFFSET, FNV_PRIME = np.uint64(0xCBF29CE484222325), np.uint64(0x100000001B3)


@_jit
def _token_stream(data, offsets, mapped, kind, stream):
    """The tokens of each row of UTF-8 text (`_row_tokens`), with the batch's distinct
    ordinary tokens. Returns (values, cjk, counts, distinct bytes, distinct offsets): a CJK
    token's value is splitmix64 of its code point, another's the index of its bytes among
    the distinct tokens. Every array is grown between rows to hold the next row whatever it
    holds (a row of n bytes has at most n // 2 + 1 tokens, as a CJK character takes 3 bytes
    or more, and writes at most 4n bytes), so the row loop never reallocates (numba's reference
    counting made that loop 3x slower)."""
    rows = len(offsets) - 1
    size = offsets[rows] - offsets[0]
    values = np.empty(size // 4 + 16, np.uint64)
    cjk = np.empty(len(values), np.bool_)
    counts = np.zeros(rows, np.int64)
    buffer = np.empty(size // 4 + 16, np.uint8)
    starts = np.zeros(1024, np.int64)  # distinct token i is buffer[starts[i]:starts[i + 1]]
    keys = np.empty(1024, np.uint64)  # and the FNV-1a hash of its code points
    bits = 11
    slots = np.full(1 << bits, -1, np.int64)  # open addressing over the keys, at most half full
    state = np.zeros(2, np.int64)  # tokens, distinct tokens
    for row in range(rows):
        length = offsets[row + 1] - offsets[row]
        most = length // 2 + 2
        if state[0] + most > len(values):
            values = _grown(values, max(2 * len(values), state[0] + most))
            cjk = _grown(cjk, len(values))
        if state[1] + most > len(starts):
            starts = _grown(starts, max(2 * len(starts), state[1] + most))
            keys = _grown(keys, len(starts))
        if starts[state[1]] + 4 * length > len(buffer):
            buffer = _grown(buffer, max(2 * len(buffer), starts[state[1]] + 4 * length))
        while 2 * (state[1] + most) > (1 << bits):
            bits += 1
            slots = _rehashed(keys, state[1], bits)
        before = state[0]
        _row_tokens(data, offsets[row], offsets[row + 1], mapped, kind, stream, values, cjk, buffer, starts,
                    keys, slots, bits, state)
        counts[row] = state[0] - before
    return values[:state[0]], cjk[:state[0]], counts, buffer[:starts[state[1]]], starts[:state[1] + 1]


@_jit
def _row_tokens(data, at, end, mapped, kind, stream, values, cjk, buffer, starts, keys, slots, bits, state):
    """Append the tokens of data[at:end], read a code point at a time through the tables
    (`mapped`: the code point it becomes; `kind`: SEPARATOR, ORDINARY or CJK; beyond the
    tables ORDINARY and itself): a run of ordinary code points is one token, each CJK one
    (with `stream`; else it is ordinary) one of its own. Each ordinary token's bytes are
    written after the distinct ones and kept there only when new."""
    tokens = state[0]
    distinct = state[1]
    table_size = len(mapped)
    last = len(data) - 1  # reads stay in the buffer whatever its bytes
    mask = (1 << bits) - 1
    tail = starts[distinct]  # the open token is buffer[starts[distinct]:tail]
    key = FNV_OFFSET
    while True:
        part = SEPARATOR
        point = 0
        if at < end:
            lead = np.int64(data[at])
            if lead < 0x80:
                point = lead
                at += 1
            elif lead < 0xE0:
                point = ((lead & 0x1F) << 6) | (np.int64(data[min(at + 1, last)]) & 0x3F)
                at += 2
            elif lead < 0xF0:
                point = (((lead & 0x0F) << 12) | ((np.int64(data[min(at + 1, last)]) & 0x3F) << 6)
                         | (np.int64(data[min(at + 2, last)]) & 0x3F))
                at += 3
            else:
                point = (((lead & 0x07) << 18) | ((np.int64(data[min(at + 1, last)]) & 0x3F) << 12)
                         | ((np.int64(data[min(at + 2, last)]) & 0x3F) << 6)
                         | (np.int64(data[min(at + 3, last)]) & 0x3F))
                at += 4
            part = ORDINARY
            if point < table_size:
                part = kind[point]
                point = mapped[point]
            if part == CJK and not stream:
                part = ORDINARY
        if part == ORDINARY:
            tail += _put_utf8(buffer, tail, point)
            key = (key ^ np.uint64(point)) * FNV_PRIME
            continue
        first = starts[distinct]
        if tail > first:  # the open token ends: find its bytes among the distinct ones, or add them
            length = tail - first
            slot = np.int64((key * SLOT_MIX) >> np.uint64(64 - bits))
            found = -1
            while slots[slot] >= 0:
                other = slots[slot]
                if (keys[other] == key and starts[other + 1] - starts[other] == length
                        and _same_bytes(buffer, starts[other], first, length)):
                    found = other
                    break
                slot = (slot + 1) & mask
            if found < 0:
                found = distinct
                slots[slot] = distinct
                keys[distinct] = key
                distinct += 1
                starts[distinct] = tail
            values[tokens] = found
            cjk[tokens] = False
            tokens += 1
            tail = starts[distinct]
            key = FNV_OFFSET
        if part == CJK:
            values[tokens] = _splitmix64(np.uint64(point))
            cjk[tokens] = True
            tokens += 1
        if at >= end:
            break
    state[0] = tokens
    state[1] = distinct


@_jit
def _put_utf8(buffer, at, point):
    """Write a code point's UTF-8 bytes at buffer[at]; their count."""
    if point < 0x80:
        buffer[at] = point
        return 1
    if point < 0x800:
        buffer[at] = 0xC0 | (point >> 6)
        buffer[at + 1] = 0x80 | (point & 0x3F)
        return 2
    if point < 0x10000:
        buffer[at] = 0xE0 | (point >> 12)
        buffer[at + 1] = 0x80 | ((point >> 6) & 0x3F)
        buffer[at + 2] = 0x80 | (point & 0x3F)
        return 3
    buffer[at] = 0xF0 | (point >> 18)
    buffer[at + 1] = 0x80 | ((point >> 12) & 0x3F)
    buffer[at + 2] = 0x80 | ((point >> 6) & 0x3F)
    buffer[at + 3] = 0x80 | (point & 0x3F)
    return 4


@_jit
def _rehashed(keys, distinct, bits):
    """A slot table of 2^bits for the first `distinct` keys."""
    slots = np.full(1 << bits, -1, np.int64)
    mask = (1 << bits) - 1
    for index in range(distinct):
        slot = np.int64((keys[index] * SLOT_MIX) >> np.uint64(64 - bits))
        while slots[slot] >= 0:
            slot = (slot + 1) & mask
        slots[slot] = index
    return slots


@_jit
def _splitmix64(value):
    z = value + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def token_stream(data: np.ndarray, offsets: np.ndarray, mapped: np.ndarray, kind: np.ndarray,
                 stream: bool) -> tuple:
    """(values, cjk, counts, distinct bytes, distinct offsets) of a batch's tokens (`_token_stream`)."""
    return _token_stream(data, offsets.astype(np.int64), mapped, kind, stream)


@_jit
def _ngram_hashes(values, cjk, distinct, counts, weights, n):
    """filters.shingles._ngrams over the resolved token hashes, a document at a time."""
    tokens = np.empty(len(values), np.uint64)
    for i in range(len(values)):
        tokens[i] = values[i] if cjk[i] else distinct[values[i]]
    total = 0
    for row in range(len(counts)):
        if counts[row]:
            total += max(counts[row] - n + 1, 1)
    hashes = np.empty(total, np.uint32)
    parents = np.empty(total, np.int64)
    first = 0
    written = 0
    for row in range(len(counts)):
        count = counts[row]
        if not count:
            continue
        span = min(n, count)
        for i in range(first, first + max(count - n + 1, 1)):
            combined = np.uint64(0)
            for k in range(span):
                combined += tokens[i + k] * weights[k % 64]
            hashes[written] = np.uint32((combined ^ (combined >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
            parents[written] = row
            written += 1
        first += count
    return hashes, parents


def ngram_hashes(values: np.ndarray, cjk: np.ndarray, distinct: np.ndarray, counts: np.ndarray,
                 weights: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(32-bit n-gram hashes, row of each) of `token_stream`'s tokens, the distinct tokens hashed."""
    return _ngram_hashes(values, cjk, distinct, counts, weights, n)


@_jit
def _affine_minima(hashes, parents, documents, a, b):
    """filters.minhash_signing.minhash: per document the minimum over its shingles of
    fmix32(h) * a + b (mod 2^32), for every permutation (a, b). Each run of one document's
    shingles updates a row of minima held apart (the permutation loop is then vectorised)."""
    perms = len(a)
    signatures = np.full((documents, perms), np.uint32(0xFFFFFFFF), np.uint32)
    minima = np.empty(perms, np.uint32)
    j = 0
    while j < len(hashes):
        row = parents[j]
        minima[:] = signatures[row]
        while j < len(hashes) and parents[j] == row:
            h = np.uint32(hashes[j])
            h ^= h >> np.uint32(16)
            h = np.uint32(h * np.uint32(0x85EBCA6B))
            h ^= h >> np.uint32(13)
            h = np.uint32(h * np.uint32(0xC2B2AE35))
            h ^= h >> np.uint32(16)
            for p in range(perms):
                minima[p] = min(minima[p], np.uint32(a[p] * h + b[p]))
            j += 1
        signatures[row] = minima
    return signatures


def affine_minima(hashes: np.ndarray, parents: np.ndarray, documents: int, a: np.ndarray,
                  b: np.ndarray) -> np.ndarray:
    """(documents x permutations) uint32 signatures (`_affine_minima`)."""
    return _affine_minima(hashes, parents.astype(np.int64), documents, a, b)
