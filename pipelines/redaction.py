"""The version's redaction policy: which step's filter redacts the rows the other steps write.

A filter declares it with `Filter.redactor()` (the pii filter does, see `filters.pii_policy`).
The first step of the chain that declares one sets the policy; under scope `everything`
each task passes the rejects of the steps before it, and every quarantine batch, through
its redactor before writing them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from filters.base import EVERYTHING
from pipelines.ledger import digest, step_config
from pipelines.plan import Segment, Step


@dataclass(frozen=True)
class Policy:
    """The redacting step and the labels of the steps before it, whose rejects it redacts.

    `key` goes into every segment's ledger key, so units written under one policy are never
    reused under another."""

    step: Step
    before: frozenset[str]
    key: str


def redaction_policy(segments: list[Segment]) -> tuple[Policy | None, dict[str, Any] | None]:
    """The policy tasks apply (None unless its scope is `everything`) and what the manifest
    records of it (None when no step redacts)."""
    chain = [step for segment in segments for step in [*segment.steps, *filter(None, [segment.tail])]]
    for position, step in enumerate(chain):
        redactor = step.filter.redactor()
        if redactor is None:
            continue
        recorded = {"step": step.label, **redactor.policy()}
        if redactor.scope != EVERYTHING:
            return None, recorded
        before = frozenset(earlier.label for earlier in chain[:position])
        return Policy(step, before, digest(step_config(step), sorted(before))), recorded
    return None, None
