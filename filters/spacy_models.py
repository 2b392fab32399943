"""spaCy models for presidio: is a model installed, and an NLP engine that never downloads one."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from pathlib import Path

from presidio_analyzer.nlp_engine import SpacyNlpEngine

from corpus.errors import ConfigError

# A spaCy model package is a top-level module; find_spec on a dotted name would import its parents.
_PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def installed_spacy_model(name: str) -> bool:
    """Whether `name` is an installed spaCy model package, found without importing anything.

    The same test as `spacy.util.is_package` (installed distribution metadata, which is how
    `spacy.load` finds a package), plus the package's own `meta.json`, which every spaCy
    model package carries and other packages do not.
    """
    if not _PACKAGE_NAME.fullmatch(name):
        return False
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    spec = importlib.util.find_spec(name)
    folders = spec.submodule_search_locations if spec is not None else None
    return bool(folders) and any((Path(folder) / "meta.json").is_file() for folder in folders)


def not_installed(name: str) -> str:
    """The sentence saying that a spaCy model is not installed (and will not be fetched)."""
    return (f"{name} is not an installed spaCy model package; install it first (python -m spacy "
            f"download {name}): a run never downloads models")


class OfflineSpacyNlpEngine(SpacyNlpEngine):
    """Presidio's spaCy engine that loads installed models only.

    Presidio's own engine calls `spacy.cli.download` (pip over the network) for a model
    that is not installed; here that is a ConfigError instead.
    """

    @staticmethod
    def _download_spacy_model_if_needed(model_name: str) -> None:
        if not installed_spacy_model(model_name):
            raise ConfigError(f"pii.nlp_model: {not_installed(model_name)}")
