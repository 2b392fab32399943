"""fastText 0.9.3's `predict` for supervised models, compiled with numba: same labels, same float32 values.

Replicates, from fastText's sources (src/dictionary.cc, model.cc, loss.cc, densematrix.cc,
quantmatrix.cc, productquantizer.cc, fasttext.cc and the Python binding's multilinePredict):
readWord's separators and the end-of-line token `</s>` (the binding appends "\\n"), labels
(`__label__...`) left out of the input, the FNV hash with its signed-char quirk, in-vocabulary
words' subwords and computeSubwords for the others, the pruned n-gram index, word n-grams,
the average of input rows (dense or product-quantized, with or without norm codes) scaled by
float32(1/n), and each loss's prediction: hierarchical softmax's depth-first search, softmax,
one-vs-all and negative sampling (table sigmoid), k, the threshold, libstdc++'s heap order
for ties, and the final expf. float32 where fastText uses `real`, float64 where C++ promotes;
numba calls glibc's exp/expf/log as fastText does. The installed fastText build has no fused
multiply-add in these loops (`objdump -d fasttext_pybind*.so | grep -c vfmadd` gives 0) and
numba does not contract either; a build that did would round differently, and
tests/test_fasttext_predict.py would say so.

`Predictor` falls back to fastText's own predict for what it does not compile: a loss
other than hs, ns, softmax and ova, word n-grams or subwords over zero buckets (fastText
divides by zero), rows a hostile file points past its matrix, strings with lone surrogates
(not UTF-8), and a document whose dense output row meets a NaN (fastText raises there).
Where numba cannot be imported, fastText predicts. One difference: k <= 0 raises
ValueError for every batch, where fastText raises only once a text has input rows.

Memory: the model's own arrays (views of the file) plus, for a pruned model, a bitmap of
the kept n-gram buckets (a quarter of a byte per bucket: 500 KB for lid.176's 2M) and a
renumbered copy of the input codes (450 KB for lid.176), and the output matrix decoded to
float32.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from filters.fasttext_model import Matrix, ModelFile

HS, NS, SOFTMAX, OVA = 1, 2, 3, 4  # fastText's loss_name
EOS_BYTES = np.frombuffer(b"</s>", np.uint8)
LABEL_BYTES = np.frombuffer(b"__label__", np.uint8)
PQ_CENTROIDS = 256
SIGMOID_TABLE_SIZE, MAX_SIGMOID = 512, 8
SLOT_MIX = 0x9E3779B1  # Fibonacci hashing of table slots
# numba computes in 64 bits: 32-bit unsigned arithmetic is masked back explicitly.
LOW_32 = 0xFFFFFFFF
FNV_OFFSET, FNV_PRIME = 2166136261, 16777619
NO_PRUNING, DROP_ALL, PRUNED = 0, 1, 2
# A batch's table of out-of-vocabulary words: slots, and bytes of words kept (see _predict).
SEEN_WORDS_MAX, SEEN_BYTES_MAX = 1 << 16, 1 << 20


def _jit(function):
    try:
        return numba.njit(cache=True, nogil=True)(function)
    except RuntimeError:  # no cache folder can be written
        return numba.njit(nogil=True)(function)


class Predictor:
    """A supervised fastText model that predicts like `fasttext.load_model(path).predict`."""

    def __init__(self, model: ModelFile, fallback) -> None:
        """`fallback()` loads fastText's model, called only when a text needs it."""
        self.labels = list(model.labels)
        self._fallback_loader, self._fallback = fallback, None
        self.arrays = _frozen(_arrays(model)) if supported(model) else None
        if self.arrays is not None:  # load the compiled code now, before a pool forks
            self.predict_utf8(EOS_BYTES, np.zeros(1, np.int64))  # no text

    def fallback(self):
        """fastText's own model, loaded on first use."""
        if self._fallback is None:
            self._fallback = self._fallback_loader()
        return self._fallback

    def predict(self, texts: list[str], k: int = 1, threshold: float = 0.0) -> tuple[list[list[str]],
                                                                                      list[np.ndarray]]:
        """fastText's `model.predict(texts, k, threshold)` for a list of strings."""
        if self.arrays is None:
            return self.fallback().predict(texts, k=k, threshold=threshold)
        if any("\n" in text for text in texts):
            raise ValueError("predict processes one line at a time (remove '\\n')")
        try:
            encoded = [text.encode() for text in texts]
        except UnicodeEncodeError:
            return self.fallback().predict(texts, k=k, threshold=threshold)
        offsets = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), np.uint8)
        return self.predict_utf8(data, offsets, k, threshold, texts)

    def predict_utf8(self, data: np.ndarray, offsets: np.ndarray, k: int = 1, threshold: float = 0.0,
                     texts: list[str] | None = None) -> tuple[list[list[str]], list[np.ndarray]]:
        """The same for texts given as UTF-8 bytes: text i is data[offsets[i]:offsets[i + 1]],
        without line feeds (one is added at the end of each, as fastText's binding does)."""
        if self.arrays is None:
            return self.fallback().predict(texts or _strings(data, offsets), k=k, threshold=threshold)
        if k != -1 and k <= 0:
            raise ValueError("k needs to be 1 or higher!")
        # k = -1 is every label, as Model::predict has it; a larger k than the labels finds the same.
        k = len(self.labels) if k == -1 else min(k, len(self.labels))
        buffers = _frozen((np.ascontiguousarray(data, np.uint8), np.ascontiguousarray(offsets, np.int64)))
        counts, found, probabilities = _predict(*buffers, self.arrays, k, np.float32(threshold))
        if (counts < 0).any():  # a NaN fastText raises on: let it
            return self.fallback().predict(texts or _strings(data, offsets), k=k, threshold=threshold)
        names = self.labels
        labels = [[names[j] for j in row[:n]] for row, n in zip(found.tolist(), counts.tolist(), strict=True)]
        return labels, [row[:n].copy() for row, n in zip(probabilities, counts.tolist(), strict=True)]


def _strings(data: np.ndarray, offsets: np.ndarray) -> list[str]:
    return [bytes(data[offsets[i]:offsets[i + 1]]).decode() for i in range(len(offsets) - 1)]


def _frozen(value):
    """Read-only views of every array in `value` (nested tuples): one compiled signature for
    every model and every caller, whether its arrays came from a file, a buffer or numpy."""
    if isinstance(value, tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, np.ndarray):
        view = value.view()
        view.flags.writeable = False
        return view
    return value


def supported(model: ModelFile) -> bool:
    """Whether the compiled predictor reproduces this model (else fastText predicts).

    Every row the kernel can reach must exist: it reads without bounds checks.
    """
    n_gram_rows = model.input.rows - model.nwords
    if model.pruned > 0:
        targets = model.pruneidx[:, 1]
        reachable = targets.min() >= 0 and targets.max() < n_gram_rows
    else:
        reachable = n_gram_rows >= 0 if model.pruned == 0 else n_gram_rows == model.bucket
    divides_by_zero = model.bucket == 0 and (model.word_ngrams > 1 or model.maxn > 0)
    return model.loss in (HS, NS, SOFTMAX, OVA) and reachable and bool(model.labels) and not divides_by_zero


def _matrix(matrix: Matrix) -> tuple:
    """The input matrix as _average reads it, dense or quantized, with the same types either way:
    (dense rows, codes, centroids, norm codes, norm centroids, geometry: quantized, with norms,
    sub-quantizers, their width, the last one's width)."""
    empty8, empty32 = np.zeros(0, np.uint8), np.zeros(0, np.float32)
    if matrix.dense is not None:
        return (np.ascontiguousarray(matrix.dense), np.zeros((0, 0), np.uint8), empty32, empty8, empty32,
                np.array([0, 0, 0, 0, 0], np.int64))
    pq, norms = matrix.quantizer, matrix.norm_quantizer
    geometry = np.array([1, norms is not None, pq.subquantizers, pq.sub_dim, pq.last_sub_dim], np.int64)
    norm_codes = empty8 if norms is None else matrix.norm_codes
    norm_centroids = empty32 if norms is None else _norm_centroids(norms)
    return (np.zeros((0, 0), np.float32), matrix.codes, pq.centroids, norm_codes, norm_centroids, geometry)


def _output(matrix: Matrix) -> tuple[np.ndarray, np.ndarray, bool]:
    """The output matrix as (float32 rows, float32 factor per row, whether a NaN row product
    raises): QuantMatrix::dotRow (mulcode) sums x[j] * centroid[j] in the order of j, then
    multiplies by the norm, so its decoded rows with their norms give the same floats;
    DenseMatrix::dotRow has no factor (1.0f changes nothing) and raises on a NaN."""
    if matrix.dense is not None:
        return np.ascontiguousarray(matrix.dense), np.ones(matrix.rows, np.float32), True
    pq = matrix.quantizer
    weights = np.empty((matrix.rows, matrix.columns), np.float32)
    for m in range(pq.subquantizers):
        code = matrix.codes[:, m].astype(np.int64)
        if m == pq.subquantizers - 1:
            first, width = m * PQ_CENTROIDS * pq.sub_dim + code * pq.last_sub_dim, pq.last_sub_dim
        else:
            first, width = (m * PQ_CENTROIDS + code) * pq.sub_dim, pq.sub_dim
        weights[:, m * pq.sub_dim:m * pq.sub_dim + width] = pq.centroids[first[:, None] + np.arange(width)]
    norms = (np.ones(matrix.rows, np.float32) if matrix.norm_quantizer is None
             else _norm_centroids(matrix.norm_quantizer)[matrix.norm_codes])
    return weights, norms, False


def _norm_centroids(quantizer) -> np.ndarray:
    """The first component of each of the norm quantizer's 256 centroids (get_centroids(0, i)[0])."""
    last = quantizer.subquantizers - 1
    step = quantizer.last_sub_dim if last == 0 else quantizer.sub_dim
    return np.ascontiguousarray(quantizer.centroids[np.arange(PQ_CENTROIDS) * step])


def _tree(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """HierarchicalSoftmaxLoss::buildTree: (left, right) child of every node, -1 at leaves."""
    size = len(counts)
    nodes = 2 * size - 1
    count = np.full(nodes, 10**15, np.int64)
    count[:size] = counts
    left, right = np.full(nodes, -1, np.int32), np.full(nodes, -1, np.int32)
    leaf, node = size - 1, size
    for i in range(size, nodes):
        pair = [0, 0]
        for j in range(2):
            if leaf >= 0 and count[leaf] < count[node]:
                pair[j], leaf = leaf, leaf - 1
            else:
                pair[j], node = node, node + 1
        left[i], right[i] = pair
        count[i] = count[pair[0]] + count[pair[1]]
    return left, right


def _arrays(model: ModelFile) -> tuple:
    """Everything the kernel reads, as one tuple of numpy arrays and numbers."""
    lengths = np.array([len(w) for w in model.words], np.int64)
    starts = np.zeros(len(lengths) + 1, np.int64)
    np.cumsum(lengths, out=starts[1:])
    word_bytes = np.frombuffer(b"".join(model.words), np.uint8)
    input_matrix, kept = model.input, np.zeros(0, np.uint64)
    if model.pruned > 0:
        pruning, kept, input_matrix = PRUNED, *_renumber(model)
    else:
        pruning = DROP_ALL if model.pruned == 0 else NO_PRUNING
    # settings[i]: 0 nwords, 1 entries, 2 minn, 3 maxn, 4 bucket, 5 wordNgrams, 6 loss, 7 dim,
    # 8 pruning (NO_PRUNING, DROP_ALL, PRUNED), 9 log2 of the word table's slots
    settings = np.array([model.nwords, len(model.words), model.minn, model.maxn, model.bucket,
                         model.word_ngrams, model.loss, model.dim, pruning,
                         max(4, (2 * len(model.words) - 1).bit_length())], np.int64)
    word_table, sub_starts, sub_ids = _index_words(word_bytes, starts, settings, kept)
    label_counts = model.counts[model.nwords:]
    left, right = _tree(label_counts) if model.loss == HS else (np.zeros(0, np.int32),) * 2
    return (settings, word_bytes, starts, word_table, sub_starts, sub_ids, kept,
            _matrix(input_matrix), _output(model.output), left, right)


def _renumber(model: ModelFile) -> tuple[np.ndarray, Matrix]:
    """The pruned index (Dictionary::pruneidx_) as a bitmap of the kept n-gram buckets with a
    running count (rank) every 64 buckets, and the input matrix with its n-gram rows put in
    bucket order, so an n-gram's row is nwords + its rank among the kept buckets.

    Table word 2w holds buckets 64w..64w+63, word 2w + 1 the kept buckets before them: one cache
    line per look-up, a quarter of a byte per bucket. Where the file repeats a bucket the last
    entry wins, as fastText's load does; buckets outside [0, bucket) are never looked up.
    """
    buckets, targets = model.pruneidx[::-1, 0].astype(np.int64), model.pruneidx[::-1, 1]
    buckets, last = np.unique(buckets, return_index=True)
    targets = targets[last]
    inside = (buckets >= 0) & (buckets < model.bucket)
    buckets, targets = buckets[inside], targets[inside]
    blocks = (model.bucket + 63) // 64
    kept = np.zeros(2 * blocks, np.uint64)
    np.bitwise_or.at(kept, 2 * (buckets >> 6), np.left_shift(np.uint64(1), (buckets & 63).astype(np.uint64)))
    kept[1::2] = np.searchsorted(buckets, np.arange(blocks, dtype=np.int64) * 64)
    order = np.concatenate([np.arange(model.nwords), model.nwords + targets.astype(np.int64)])
    matrix = model.input
    return kept, Matrix(len(order), matrix.columns, codes=matrix.codes[order], quantizer=matrix.quantizer,
                        norm_codes=None if matrix.norm_codes is None else matrix.norm_codes[order],
                        norm_quantizer=matrix.norm_quantizer)


# --------------------------------------------------------------------------- kernels
# Arrays are unpacked once per call: numba counts references (atomically) on every array
# that a call passes or a tuple hands out, which in the per-n-gram loops cost more than the work.


@_jit
def _slot(key, bits):
    return np.int64(((np.uint64(key) * np.uint64(SLOT_MIX)) & np.uint64(LOW_32)) >> np.uint64(32 - bits))


@_jit
def _fnv_step(h, byte):
    """One byte of Dictionary::hash: the byte as a signed char, sign-extended to 32 bits."""
    signed = np.uint64(np.int64(np.int8(byte))) & np.uint64(LOW_32)
    return ((h ^ signed) * np.uint64(FNV_PRIME)) & np.uint64(LOW_32)


@_jit
def _is_separator(byte):
    return byte == 32 or byte == 10 or byte == 13 or byte == 9 or byte == 11 or byte == 12 or byte == 0


@_jit
def _std_log(x):
    return np.float32(math.log(np.float64(x) + 1e-5))


@_jit
def _kept_row(kept, bucket):
    """The rank of n-gram `bucket` among the kept ones (see _renumber), or -1 where pruned.

    Takes the two table words, not the table: a call that passes an array counts references.
    """
    offset = np.uint64(bucket & 63)
    if (kept >> offset) & np.uint64(1) == np.uint64(0):
        return np.int64(-1)
    x = kept & ((np.uint64(1) << offset) - np.uint64(1))  # popcount of the kept buckets below
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return np.int64((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@numba.njit(inline="always")  # compiled into its callers: a call would count references to its arrays
def _subwords(word, length, rows, count, settings, kept):
    """Dictionary::computeSubwords over word[:length] (wrapped in < and >), each n-gram through
    Dictionary::pushHash; the new row count (rows has room for (length) * maxn more)."""
    nwords, minn, maxn, pruning = settings[0], settings[2], settings[3], settings[8]
    bucket = np.uint64(settings[4]) & np.uint64(LOW_32)  # 32 bits: a 32-bit division
    for i in range(length):
        if (word[i] & 0xC0) == 0x80:
            continue
        h = np.uint64(FNV_OFFSET)
        j, n = i, 1
        while j < length and n <= maxn:
            h = _fnv_step(h, word[j])
            j += 1
            while j < length and (word[j] & 0xC0) == 0x80:
                h = _fnv_step(h, word[j])
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == length)) and pruning != DROP_ALL:
                row = np.int64(h % bucket)
                if pruning == PRUNED:
                    at = 2 * (row >> 6)
                    row = _kept_row(kept[at], row)
                    row = row + np.int64(kept[at + 1]) if row >= 0 else row
                if row >= 0:
                    rows[count] = nwords + row
                    count += 1
            n += 1
    return count


@_jit
def _index_words(word_bytes, starts, settings, kept):
    """The dictionary's lookup table (by content, linear probing) and each word's rows
    (Dictionary::initNgrams: the word, then its n-grams unless it is </s>)."""
    nwords, entries, maxn, bits = settings[0], settings[1], settings[3], settings[9]
    table = np.full(1 << bits, -1, np.int32)
    mask = (1 << bits) - 1
    for i in range(entries):
        h = np.uint64(FNV_OFFSET)
        for at in range(starts[i], starts[i + 1]):
            h = _fnv_step(h, word_bytes[at])
        slot = _slot(h, bits)
        while table[slot] != -1:
            slot = (slot + 1) & mask
        table[slot] = i
    sub_starts = np.zeros(nwords + 1, np.int64)
    capacity = nwords
    for i in range(nwords):
        capacity += (starts[i + 1] - starts[i] + 2) * max(maxn, 0)
    sub_ids = np.empty(capacity, np.int32)
    word = np.empty(64, np.uint8)
    count = 0
    for i in range(nwords):
        sub_ids[count] = i
        count += 1
        length = starts[i + 1] - starts[i] + 2
        eos = length == 6
        for j in range(4 if eos else 0):
            eos = eos and word_bytes[starts[i] + j] == EOS_BYTES[j]
        if not eos:
            if len(word) < length:
                word = np.empty(2 * length, np.uint8)
            word[0], word[length - 1] = 60, 62
            for j in range(length - 2):
                word[1 + j] = word_bytes[starts[i] + j]
            count = _subwords(word, length, sub_ids, count, settings, kept)
        sub_starts[i + 1] = count
    return table, sub_starts, sub_ids[:count].copy()


@_jit
def _line(data, start, end, settings, word_bytes, starts, table, sub_starts, sub_ids, kept, rows, hashes,
          word, seen, seen_keys, seen_entries, seen_rows, seen_used):
    """Dictionary::getLine on data[start:end] + "\n": the count of input rows written to `rows`,
    or -1 where `rows`, `hashes` or `word` is too short (the caller grows them and calls again:
    an array assigned here would be reference counted in the loops).

    Out-of-vocabulary words met before in the batch take their rows from the `seen` table
    (a word's n-gram rows depend on its bytes alone); see _predict.
    """
    nwords, maxn, word_ngrams, pruning, bits = settings[0], settings[3], settings[5], settings[8], settings[9]
    mask = (1 << bits) - 1
    seen_bits, seen_mask = seen_used[3], len(seen) - 1
    count = 0
    words = 0
    at = start
    while True:
        while at < end and _is_separator(data[at]) and data[at] != 10:
            at += 1
        line_end = at == end or data[at] == 10  # readWord's "\n" with no word before it: </s>
        if line_end:
            token_start, token_end = at, at
            at += 1
            length = 4
        else:
            token_start = at
            while at < end and not _is_separator(data[at]):
                at += 1
            token_end = at
            if at < end and data[at] != 10:
                at += 1
            length = token_end - token_start
        h = np.uint64(FNV_OFFSET)
        for i in range(length):
            h = _fnv_step(h, EOS_BYTES[i] if line_end else data[token_start + i])
        eos = length == 4
        for i in range(4 if eos else 0):
            eos = eos and (EOS_BYTES[i] if line_end else data[token_start + i]) == EOS_BYTES[i]
        wid = -1
        slot = _slot(h, bits)
        while table[slot] != -1:
            entry = table[slot]
            if starts[entry + 1] - starts[entry] == length:
                same = True
                for i in range(length):
                    if word_bytes[starts[entry] + i] != (EOS_BYTES[i] if line_end else data[token_start + i]):
                        same = False
                        break
                if same:
                    wid = entry
                    break
            slot = (slot + 1) & mask
        if wid >= 0:
            is_word = wid < nwords
        else:
            is_word = length < 9  # Dictionary::getType: a label starts with __label__
            for i in range(9 if length >= 9 else 0):
                is_word = is_word or data[token_start + i] != LABEL_BYTES[i]
        if is_word:
            known = sub_starts[wid + 1] - sub_starts[wid] if wid >= 0 else 0
            if count + (length + 2) * max(maxn, 0) + 1 + known > len(rows) or length + 2 > len(word) or (
                    words == len(hashes)):
                return -1
            if wid >= 0:
                for r in range(sub_starts[wid], sub_starts[wid + 1]):
                    rows[count] = sub_ids[r]
                    count += 1
            elif not eos:
                entry = -1
                slot = _slot(h, seen_bits)
                while seen[slot] != -1:
                    entry = seen[slot]
                    if seen_entries[entry, 1] == length:
                        for i in range(length):
                            if seen_keys[seen_entries[entry, 0] + i] != data[token_start + i]:
                                entry = -1
                                break
                        if entry >= 0:
                            break
                    entry = -1
                    slot = (slot + 1) & seen_mask
                if entry >= 0:
                    for r in range(seen_entries[entry, 2], seen_entries[entry, 2] + seen_entries[entry, 3]):
                        rows[count] = seen_rows[r]
                        count += 1
                else:
                    first = count
                    word[0], word[length + 1] = 60, 62
                    for i in range(length):
                        word[1 + i] = data[token_start + i]
                    count = _subwords(word, length + 2, rows, count, settings, kept)
                    entry, keys_at, rows_at = seen_used[0], seen_used[1], seen_used[2]
                    if (2 * (entry + 1) <= len(seen) and keys_at + length <= len(seen_keys)
                            and rows_at + count - first <= len(seen_rows)):
                        seen[slot] = entry
                        seen_entries[entry, 0], seen_entries[entry, 1] = keys_at, length
                        seen_entries[entry, 2], seen_entries[entry, 3] = rows_at, count - first
                        for i in range(length):
                            seen_keys[keys_at + i] = data[token_start + i]
                        for r in range(count - first):
                            seen_rows[rows_at + r] = rows[first + r]
                        seen_used[0], seen_used[1] = entry + 1, keys_at + length
                        seen_used[2] = rows_at + count - first
            hashes[words] = np.int32(h)
            words += 1
        if eos:
            break
    if word_ngrams > 1:  # Dictionary::addWordNgrams
        if count + words * (word_ngrams - 1) > len(rows):
            return -1
        bucket = np.uint64(settings[4]) & np.uint64(LOW_32)  # 32 bits: a 32-bit division
        for i in range(words):
            g = np.uint64(np.int64(hashes[i]))
            for j in range(i + 1, min(words, i + word_ngrams)):
                g = g * np.uint64(116049371) + np.uint64(np.int64(hashes[j]))
                if pruning == DROP_ALL:
                    continue
                # pushHash written out as in _subwords: a shared helper, even inlined, counted
                # references to its arrays and made prediction 1.5x slower (43 -> 66 us/doc)
                row = np.int64(g % bucket)
                if pruning == PRUNED:
                    at = 2 * (row >> 6)
                    row = _kept_row(kept[at], row)
                    row = row + np.int64(kept[at + 1]) if row >= 0 else row
                if row >= 0:
                    rows[count] = nwords + row
                    count += 1
    return count


@_jit
def _sift_up(scores, ids, hole, top, score, id):
    """libstdc++'s __push_heap with fastText's comparePairs (a.first > b.first)."""
    parent = (hole - 1) // 2
    while hole > top and scores[parent] > score:
        scores[hole] = scores[parent]
        ids[hole] = ids[parent]
        hole = parent
        parent = (hole - 1) // 2
    scores[hole] = score
    ids[hole] = id


@_jit
def _pop(scores, ids, last):
    """libstdc++'s __pop_heap(first, first + last, first + last): the front moves to `last`."""
    score, id = scores[last], ids[last]
    scores[last], ids[last] = scores[0], ids[0]
    hole, length, child = 0, last, 0
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if scores[child] > scores[child - 1]:
            child -= 1
        scores[hole], ids[hole] = scores[child], ids[child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        scores[hole], ids[hole] = scores[child - 1], ids[child - 1]
        hole = child - 1
    _sift_up(scores, ids, hole, 0, score, id)


@_jit
def _offer(scores, ids, size, k, score, id):
    """heap.push_back, push_heap, and pop_heap + pop_back past k; the new size."""
    _sift_up(scores, ids, size, 0, score, id)
    size += 1
    if size > k:
        _pop(scores, ids, size - 1)
        size -= 1
    return size


@_jit
def _sort_heap(scores, ids, size):
    last = size
    while last > 1:
        last -= 1
        _pop(scores, ids, last)


@_jit
def _average(rows, count, dense, codes, centroids, norm_codes, norm_centroids, geometry, hidden):
    """Model::computeHidden: the float32 average of the input rows (DenseMatrix or QuantMatrix
    averageRowsToVector)."""
    dim = len(hidden)
    if geometry[0] == 0 and (dim == 16 or dim == 32 or dim == 64 or dim == 256 or dim == 512):
        for j in range(dim):  # the SIMD path: the first row, not zeros, to start from
            hidden[j] = dense[rows[0], j]
        for r in range(1, count):
            for j in range(dim):
                hidden[j] += dense[rows[r], j]
    elif geometry[0] == 0:
        hidden[:] = 0
        for r in range(count):
            for j in range(dim):
                hidden[j] += dense[rows[r], j]
    else:  # ProductQuantizer::addcode
        hidden[:] = 0
        subquantizers, sub_dim, last_sub_dim = geometry[2], geometry[3], geometry[4]
        for r in range(count):
            row = rows[r]
            alpha = norm_centroids[norm_codes[row]] if geometry[1] else np.float32(1.0)
            for m in range(subquantizers):
                if m == subquantizers - 1:
                    c = m * PQ_CENTROIDS * sub_dim + np.int64(codes[row, m]) * last_sub_dim
                    width = last_sub_dim
                else:
                    c, width = (m * PQ_CENTROIDS + np.int64(codes[row, m])) * sub_dim, sub_dim
                for j in range(width):
                    hidden[m * sub_dim + j] += alpha * centroids[c + j]
    scale = np.float32(1.0 / count)
    for j in range(dim):
        hidden[j] *= scale


@_jit
def _scores(loss, k, threshold, hidden, weights, norms, nan_raises, left, right, sigmoids, output, scores,
            ids, stack_nodes, stack_scores):
    """Loss::predict: the heap of (log-probability, label) in sort_heap order; its size, or -1
    where fastText raises (a NaN from a dense output row). The row products (Matrix::dotRow,
    see _output) are written out in place: a call would count references to its arrays."""
    dim, osz = len(hidden), len(output)
    size = 0
    if loss == HS:
        floor = _std_log(threshold)
        stack_nodes[0], stack_scores[0] = 2 * osz - 2, np.float32(0.0)
        depth = 1
        while depth > 0:
            depth -= 1
            node, score = stack_nodes[depth], stack_scores[depth]
            if score < floor or (size == k and score < scores[0]):
                continue
            if left[node] == -1 and right[node] == -1:
                size = _offer(scores, ids, size, k, score, node)
                continue
            f = np.float32(0.0)
            for j in range(dim):
                f += weights[node - osz, j] * hidden[j]
            if nan_raises and math.isnan(f):
                return -1
            f *= norms[node - osz]
            f = np.float32(1.0 / np.float64(np.float32(1.0) + math.exp(-f)))
            # dfs(left) runs first and to the end: it goes on top of the stack.
            stack_nodes[depth], stack_scores[depth] = right[node], score + _std_log(f)
            stack_nodes[depth + 1] = left[node]
            stack_scores[depth + 1] = score + _std_log(np.float32(1.0 - np.float64(f)))
            depth += 2
    else:
        for i in range(osz):
            f = np.float32(0.0)
            for j in range(dim):
                f += weights[i, j] * hidden[j]
            if nan_raises and math.isnan(f):
                return -1
            output[i] = f * norms[i]
        if loss == SOFTMAX:
            top = output[0]
            for i in range(osz):
                top = top if output[i] < top else output[i]
            z = np.float32(0.0)
            for i in range(osz):
                output[i] = np.float32(math.exp(np.float64(output[i] - top)))
                z += output[i]
            for i in range(osz):
                output[i] /= z
        else:  # BinaryLogisticLoss::computeOutput, its sigmoid from the table
            for i in range(osz):
                x = output[i]
                if x < -MAX_SIGMOID:
                    output[i] = np.float32(0.0)
                elif x > MAX_SIGMOID:
                    output[i] = np.float32(1.0)
                else:
                    at = (x + np.float32(MAX_SIGMOID)) * np.float32(SIGMOID_TABLE_SIZE)
                    output[i] = sigmoids[np.int64(at / np.float32(MAX_SIGMOID) / np.float32(2))]
        for i in range(osz):  # Loss::findKBest
            if output[i] < threshold:
                continue
            if size == k and _std_log(output[i]) < scores[0]:
                continue
            size = _offer(scores, ids, size, k, _std_log(output[i]), i)
    _sort_heap(scores, ids, size)
    return size


@_jit
def _predict(data, offsets, model, k, threshold):
    """Top-k (label, probability) of every text: (counts, label ids, probabilities); a count of -1
    marks a document fastText raises on."""
    settings, word_bytes, starts, table, sub_starts, sub_ids, kept, inputs, outputs, left, right = model
    in_dense, in_codes, in_centroids, in_norm_codes, in_norm_centroids, in_geometry = inputs
    weights, norms, nan_raises = outputs
    loss, dim = settings[6], settings[7]
    nlabels = weights.shape[0]
    documents = len(offsets) - 1
    counts = np.zeros(documents, np.int32)
    found = np.zeros((documents, k), np.int32)
    probabilities = np.zeros((documents, k), np.float32)
    sigmoids = np.empty(SIGMOID_TABLE_SIZE + 1, np.float32)  # Loss::Loss's t_sigmoid_
    for i in range(SIGMOID_TABLE_SIZE + 1):
        x = np.float32(np.float32(i * 2 * MAX_SIGMOID) / np.float32(SIGMOID_TABLE_SIZE)) - np.float32(
            MAX_SIGMOID)
        sigmoids[i] = np.float32(1.0 / (1.0 + np.float64(math.exp(-x))))
    rows = np.empty(1024, np.int32)
    hashes = np.empty(256, np.int32)
    word = np.empty(256, np.uint8)
    hidden = np.empty(dim, np.float32)
    output = np.empty(nlabels, np.float32)
    scores = np.empty(k + 1, np.float32)
    ids = np.empty(k + 1, np.int32)
    stack_nodes = np.empty(2 * nlabels + 2, np.int32)
    stack_scores = np.empty(2 * nlabels + 2, np.float32)
    # Out-of-vocabulary words seen in this batch and their rows: most of lid.176's input words are
    # not in its 7,235-word dictionary, and half of their bytes repeat within 1,000 documents.
    # Open addressing on the word's hash; at most half full; full arenas stop adding words.
    text_bytes = offsets[documents] - offsets[0]
    seen_used = np.zeros(4, np.int64)  # words, key bytes, rows in use; log2 of the slots
    seen_used[3] = 6
    while (1 << seen_used[3]) < min(SEEN_WORDS_MAX, text_bytes // 2):
        seen_used[3] += 1
    seen = np.full(1 << seen_used[3], -1, np.int32)
    seen_entries = np.empty((len(seen) // 2, 4), np.int64)  # key start, length, rows start, count
    seen_keys = np.empty(min(SEEN_BYTES_MAX, text_bytes), np.uint8)
    seen_rows = np.empty(4 * len(seen_keys), np.int32)
    for d in range(documents):
        count = -1
        while count < 0:
            count = _line(data, offsets[d], offsets[d + 1], settings, word_bytes, starts, table, sub_starts,
                          sub_ids, kept, rows, hashes, word, seen, seen_keys, seen_entries, seen_rows,
                          seen_used)
            if count < 0:  # a buffer was short: twice as long, and again
                rows, hashes = np.empty(2 * len(rows), np.int32), np.empty(2 * len(hashes), np.int32)
                word = np.empty(2 * len(word), np.uint8)
        if count == 0:  # FastText::predict: no input, no prediction
            continue
        _average(rows, count, in_dense, in_codes, in_centroids, in_norm_codes, in_norm_centroids, in_geometry,
                 hidden)
        size = _scores(loss, k, threshold, hidden, weights, norms, nan_raises, left, right, sigmoids, output,
                       scores, ids, stack_nodes, stack_scores)
        counts[d] = size
        for j in range(size):
            found[d, j] = ids[j]
            probabilities[d, j] = math.exp(scores[j])  # expf, as FastText::predictLine's std::exp(real)
    return counts, found, probabilities
