"""FilterStats: associative merge, JSON round-trip, fixed-bin histograms."""

from __future__ import annotations

import json

import numpy as np
import pytest

from corpus.stats import FilterStats, Histogram


def sample(seed: int) -> FilterStats:
    rng = np.random.default_rng(seed)
    stats = FilterStats("special_chars", docs_in=int(rng.integers(100, 200)),
                        docs_out=int(rng.integers(0, 100)), chars_in=int(rng.integers(10**6)),
                        chars_out=int(rng.integers(10**5)), wall_seconds=float(rng.random()))
    stats.histogram("special_char_ratio").add(rng.random(50))
    stats.count("removed_by_reason", "empty", int(rng.integers(10)))
    stats.count("docs_by_lang", ["en", "ko", "ja"][seed % 3], 5)
    return stats


def test_merge_is_associative_and_commutative():
    a, b, c = sample(1), sample(2), sample(3)
    left, right = ((a + b) + c).to_dict(), (a + (b + c)).to_dict()
    swapped = ((c + a) + b).to_dict()
    for result in (right, swapped):
        assert {k: v for k, v in result.items() if k != "wall_seconds"} == {
            k: v for k, v in left.items() if k != "wall_seconds"}
        assert result["wall_seconds"] == pytest.approx(left["wall_seconds"])
    assert left["docs_in"] == a.docs_in + b.docs_in + c.docs_in
    assert sum(left["histograms"]["special_char_ratio"]["counts"]) == 150


def test_json_round_trip_keeps_everything():
    stats = sample(7)
    stats.info["definition"] = "x"
    again = FilterStats.from_dict(json.loads(json.dumps(stats.to_dict())))
    assert again.to_dict() == stats.to_dict()


def test_histograms_with_different_edges_do_not_merge():
    with pytest.raises(ValueError, match="different bin edges"):
        Histogram.uniform(0, 1, 10) + Histogram.uniform(0, 1, 20)


def test_out_of_range_values_land_in_the_edge_bins():
    histogram = Histogram.uniform(0, 1, 4)
    histogram.add(np.array([-3.0, 0.1, 1.0, 7.0]))
    assert histogram.counts == [2, 0, 0, 2]


def test_stats_of_different_filters_do_not_merge():
    with pytest.raises(ValueError):
        FilterStats("a") + FilterStats("b")
