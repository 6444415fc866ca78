"""Benchmark rank() against a vectorised numpy reference kernel on synthetic volunteers.

Not a test: run it by hand and read the ratios.

    python -m bench.matching                       # 1k, 10k, 100k and 1M candidates
    python -m bench.matching --sizes 1000 100000 --repeat 7

Candidates are spread evenly over the Netherlands with Dutch skill tags (some with typos
or in another form), random weekly slots, a reach of 2 to 25 km and a VOG for some. Each
size is measured in three situations:

- buurt: the asker allows at most 10 km;
- open: the asker sets no limit, so each volunteer's own reach decides;
- iedereen: no limit on either side, so every candidate is in reach (the worst case).

The reference kernel is written here, the plain vectorised way: read every attribute of
every candidate into arrays, haversine over all of them, fuzzy-score each distinct tag
string once, combine per candidate with numpy, mask the hard filters and take the top k
with argpartition. It reuses the module's scoring primitives (normalise, similarity,
Coverage.shares) so that both return the same ranking, which is checked on every size:
the ratio compares the pipelines, not two different scoring functions.
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time as clock
from itertools import chain, islice

import numpy as np

from voorelkaar.matching import Candidate, Need, Slot, Weights, rank
from voorelkaar.matching.availability import Coverage
from voorelkaar.matching.skills import UNRELATED_BELOW, needed_skills, normalise, similarity

EARTH_RADIUS_KM = 6371.0088
LAT_RANGE = (50.75, 53.55)
LON_RANGE = (3.35, 7.2)
DEFAULT_WEIGHTS = Weights()
SIZES = (1_000, 10_000, 100_000, 1_000_000)
SCENARIOS = ("buurt", "open", "iedereen")

SKILLS = (
    "boodschappen",
    "boodschappen doen",
    "wandelen",
    "wandeling maken",
    "koken",
    "samen eten",
    "tuinieren",
    "tuinonderhoud",
    "gras maaien",
    "hond uitlaten",
    "huisdieren verzorgen",
    "vervoer",
    "autorijden",
    "begeleiding naar het ziekenhuis",
    "computerhulp",
    "hulp bij de computer",
    "tablet uitleggen",
    "administratie",
    "formulieren invullen",
    "voorlezen",
    "taalhulp",
    "Nederlandse les",
    "gezelschap",
    "koffie drinken",
    "klussen",
    "kleine reparaties",
    "schilderen",
    "fietsen",
    "strijken",
    "schoonmaken",
    "mantelzorg ondersteuning",
    "café bezoek",
    "muziek maken",
    "spelletjes doen",
)
TRAVEL_KM = (2.0, 3.0, 5.0, 5.0, 5.0, 10.0, 15.0, 25.0)
STARTS = range(8, 21)
HOURS = (1, 2, 3, 4)
TYPOS_PER_SKILL = 6


def typo(word: str, rng: random.Random) -> str:
    """Return the word with one letter dropped, doubled or swapped, as people type."""
    i = rng.randrange(len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1 :]
    if kind == 1:
        return word[: i + 1] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def tags(seed: int) -> tuple[list[str], np.ndarray]:
    """Return the ways volunteers type each skill, and how often each way occurs."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ways, odds = [], []
    for skill in SKILLS:
        typos = {typo(skill, rng) for _ in range(TYPOS_PER_SKILL)}
        # Three in four type it right, one in ten capitalised, the rest with a typo.
        ways += [skill, skill.capitalize(), *typos]
        odds += [0.75, 0.10, *[0.15 / len(typos)] * len(typos)]
    return ways, np.array(odds) / len(SKILLS)


def candidates(size: int, seed: int, *, unlimited: bool = False) -> list[Candidate]:
    """Return size volunteers spread over the Netherlands, in no particular order."""
    rng = np.random.default_rng(seed)
    ways, odds = tags(seed)
    slots = [
        Slot(day, clock(start), clock(min(start + hours, 23)))
        for day in range(7)
        for start in STARTS
        for hours in HOURS
    ]
    tag_counts = rng.integers(0, 4, size).tolist()
    # One in five is flexible (no slots).
    slot_counts = rng.choice((0, 1, 1, 2, 2, 3, 4), size).tolist()
    tag_draws = iter(rng.choice(len(ways), sum(tag_counts), p=odds).tolist())
    slot_draws = iter(rng.integers(0, len(slots), sum(slot_counts)).tolist())
    travel = rng.choice(TRAVEL_KM, size).tolist()
    if unlimited:
        travel = [math.inf] * size
    return [
        Candidate(
            id=id_,
            lat=lat,
            lon=lon,
            skills=tuple(ways[i] for i in islice(tag_draws, n_tags)),
            # New tuples for every volunteer, as rows from a database would give.
            slots=tuple(slots[i] for i in islice(slot_draws, n_slots)),
            travel_km=reach,
            vog=vog,
        )
        for id_, lat, lon, n_tags, n_slots, reach, vog in zip(
            (rng.permutation(size) + 1).tolist(),
            rng.uniform(*LAT_RANGE, size).tolist(),
            rng.uniform(*LON_RANGE, size).tolist(),
            tag_counts,
            slot_counts,
            travel,
            (rng.random(size) < 0.3).tolist(),
            strict=True,
        )
    ]


def need(scenario: str) -> Need:
    """Return a Tuesday-afternoon shopping request in Amersfoort."""
    return Need(
        lat=52.156,
        lon=5.388,
        skills=("boodschappen doen", "koffie drinken"),
        slots=(Slot(1, clock(14), clock(16)), Slot(3, clock(10), clock(11, 30))),
        radius_km=10.0 if scenario == "buurt" else None,
    )


def reference(
    need: Need, pool: Sequence[Candidate], limit: int = 20, weights: Weights = DEFAULT_WEIGHTS
) -> list[int]:
    """Return the ids of the top limit, computed the plain vectorised way."""
    score, km, ids, ok = reference_scores(need, pool, weights)
    kept = np.flatnonzero(ok)
    if len(kept) > limit:
        top = kept[np.argpartition(-score[kept], limit - 1)[:limit]]
        kept = kept[score[kept] >= score[top].min()]
    order = np.lexsort((ids[kept], km[kept], -score[kept]))
    return ids[kept[order[:limit]]].tolist()


def reference_scores(
    need: Need, pool: Sequence[Candidate], weights: Weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return score, km, id and "passes the hard filters" for every candidate."""
    n = len(pool)
    lat = np.fromiter((c.lat for c in pool), np.float64, count=n)
    lon = np.fromiter((c.lon for c in pool), np.float64, count=n)
    travel = np.fromiter((c.travel_km for c in pool), np.float64, count=n)
    vog = np.fromiter((c.vog for c in pool), bool, count=n)
    ids = np.fromiter((c.id for c in pool), np.int64, count=n)

    phi, phi0 = np.radians(lat), math.radians(need.lat)
    h = (
        np.sin((phi - phi0) / 2) ** 2
        + math.cos(phi0) * np.cos(phi) * np.sin(np.radians(lon - need.lon) / 2) ** 2
    )
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    ok = km <= travel
    if need.radius_km is not None:
        ok &= km <= need.radius_km
    if need.requires_vog:
        ok &= vog

    skill = _reference_skills(needed_skills(need.skills), pool)
    if need.slots:
        coverage = Coverage(need.slots)
        available = coverage.shares([c.slots for c in pool])
        ok &= ~np.isnan(available)
    else:
        available = np.ones(n)

    near = 1.0 / (1.0 + km / 5.0)
    total = weights.distance + weights.skills + weights.availability
    combined = weights.distance * near + weights.skills * skill + weights.availability * available
    return np.clip(combined / total, 0.0, 1.0), km, ids, ok


def _reference_skills(needed: tuple[str, ...], pool: Sequence[Candidate]) -> np.ndarray:
    if not needed:
        return np.ones(len(pool))
    counts = np.fromiter((len(c.skills) for c in pool), np.int64, count=len(pool))
    tags = list(chain.from_iterable(c.skills for c in pool))
    distinct = {skill: code for code, skill in enumerate(dict.fromkeys(tags))}
    wanted = [normalise(skill) for skill in needed]
    # One row per distinct tag string, one column per needed tag; an extra zero row
    # stands for "no tag" so that candidates without tags score 0.
    alike = np.zeros((len(distinct) + 1, len(wanted)))
    for skill, code in distinct.items():
        alike[code] = [similarity(normalise(skill), w) for w in wanted]
    codes = np.fromiter((distinct[skill] for skill in tags), np.int64, count=len(tags))
    owner = np.repeat(np.arange(len(pool)), counts)
    best = np.zeros((len(pool), len(wanted)))
    np.maximum.at(best, owner, alike[codes])
    credits = np.maximum(0.0, (best - UNRELATED_BELOW) / (1 - UNRELATED_BELOW))
    return credits.mean(axis=1)


@dataclass
class Timing:
    scenario: str
    size: int
    in_reach: int
    rank_ms: float
    reference_ms: float

    @property
    def ratio(self) -> float:
        return self.rank_ms / self.reference_ms


def median_ms(runs: list[float]) -> float:
    return statistics.median(runs) * 1000


def measure(scenario: str, pool: list[Candidate], repeat: int) -> Timing:
    """Time rank() and the reference alternately on the same candidates."""
    asked = need(scenario)
    ours = [r.candidate_id for r in rank(asked, pool)]
    theirs = reference(asked, pool)
    if ours != theirs:
        raise SystemExit(f"rank() and the reference disagree on {scenario}/{len(pool)}")
    runs: dict[str, list[float]] = {"rank": [], "reference": []}
    calls: dict[str, Callable[[], object]] = {
        "rank": lambda: rank(asked, pool),
        "reference": lambda: reference(asked, pool),
    }
    for _ in range(repeat):
        for name, call in calls.items():
            gc.collect()
            started = time.perf_counter()
            call()
            runs[name].append(time.perf_counter() - started)
    in_reach = int(reference_scores(asked, pool, Weights())[3].sum())
    return Timing(
        scenario, len(pool), in_reach, median_ms(runs["rank"]), median_ms(runs["reference"])
    )


def main() -> None:
    """Print median times of rank() and the reference, and their ratio, per size."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per size (median)")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    print(f"{'scenario':9} {'size':>9} {'in reach':>9} {'rank ms':>10} {'ref ms':>10} {'ratio':>6}")
    for size in args.sizes:
        started = time.perf_counter()
        pools = {"limited": candidates(size, args.seed)}
        if "iedereen" in args.scenarios:
            pools["unlimited"] = candidates(size, args.seed, unlimited=True)
        made = time.perf_counter() - started
        print(f"# {size:,} candidates generated in {made:.1f} s", flush=True)
        for scenario in args.scenarios:
            pool = pools["unlimited" if scenario == "iedereen" else "limited"]
            t = measure(scenario, pool, args.repeat)
            print(
                f"{t.scenario:9} {t.size:>9,} {t.in_reach:>9,} {t.rank_ms:>10.1f} "
                f"{t.reference_ms:>10.1f} {t.ratio:>6.2f}",
                flush=True,
            )
        del pools
        gc.collect()


if __name__ == "__main__":
    main()
