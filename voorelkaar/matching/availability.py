"""Weekly availability: how much of the needed time a volunteer's slots cover.

Slots never cross midnight, so a week is one line of seconds from Monday 00:00 and every
slot one interval on it. Overlapping or touching slots of one side are merged first, so
two slots that cover the same hour count it once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import time
from itertools import chain

import numpy as np

from voorelkaar.matching.reasons import Reason
from voorelkaar.matching.types import Slot

# A volunteer without slots said "any time": likelier than a bad fit, less sure than a
# stated match.
FLEXIBLE = 0.5
DAY = 86_400

DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
# Parts of the day in seconds: ochtend before 12:00, middag 12:00-18:00, avond from 18:00.
PARTS = (("ochtend", 0, 12 * 3600), ("middag", 12 * 3600, 18 * 3600), ("avond", 18 * 3600, DAY))

Intervals = tuple[tuple[float, float], ...]


def week_intervals(slots: tuple[Slot, ...]) -> Intervals:
    """Return slots as merged, sorted (start, end) seconds since Monday 00:00."""
    spans = sorted(
        (slot.weekday * DAY + _seconds(slot.start), slot.weekday * DAY + _seconds(slot.end))
        for slot in slots
    )
    merged: list[list[float]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


def overlap(a: Intervals, b: Intervals) -> Intervals:
    """Return the stretches of time in both merged interval lists; touching is not overlap."""
    shared = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            shared.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(shared)


class Coverage(dict[tuple[Slot, ...], float]):
    """For one ranking: a candidate's slots -> share of the needed time covered.

    NaN means the slots miss the need entirely (a hard filter); no slots at all means
    flexible. Look one tuple up as coverage[slots]; shares() does many at once in numpy.
    """

    def __init__(self, needed: tuple[Slot, ...]) -> None:
        super().__init__()
        self.needed = week_intervals(needed)
        self._total = sum(end - start for start, end in self.needed)

    def __missing__(self, slots: tuple[Slot, ...]) -> float:
        if slots:
            covered = sum(end - start for start, end in overlap(self.needed, week_intervals(slots)))
            share = min(1.0, covered / self._total) if covered > 0 else math.nan
        else:
            share = FLEXIBLE
        self[slots] = share
        return share

    def shares(self, slot_lists: Sequence[tuple[Slot, ...]]) -> np.ndarray:
        """Return self[slots] for each tuple of slots, for many candidates at once."""
        counts = np.fromiter(map(len, slot_lists), dtype=np.int64, count=len(slot_lists))
        flat = list(chain.from_iterable(slot_lists))
        owner = np.repeat(np.arange(len(slot_lists)), counts)
        day = np.fromiter((s.weekday for s in flat), dtype=np.float64, count=len(flat)) * DAY
        seconds = _Seconds()
        start = day + np.fromiter((seconds[s.start] for s in flat), np.float64, len(flat))
        end = day + np.fromiter((seconds[s.end] for s in flat), np.float64, len(flat))

        order = np.lexsort((start, owner))
        owner, start, end = owner[order], start[order], end[order]
        covered = np.zeros(len(flat))
        for need_start, need_end in self.needed:
            covered += np.maximum(0.0, np.minimum(end, need_end) - np.maximum(start, need_start))
        share = np.bincount(owner, weights=covered, minlength=len(slot_lists)) / self._total
        share = np.where(share > 0, np.minimum(share, 1.0), math.nan)
        share[counts == 0] = FLEXIBLE

        # Summing slot by slot counts an hour twice when one volunteer's own slots overlap.
        # Sorted by start, no slot reaching past the next start means no overlap at all;
        # the few volunteers whose slots do overlap are merged one by one.
        same = owner[1:] == owner[:-1]
        for i in np.unique(owner[1:][same & (start[1:] < end[:-1])]).tolist():
            share[i] = self[slot_lists[i]]
        return share

    def day_parts(self, slots: tuple[Slot, ...]) -> list[tuple[int, int]]:
        """Return the covered (weekday, part) pairs in week order; (1, 1) is dinsdagmiddag."""
        covered: set[tuple[int, int]] = set()
        for start, end in overlap(self.needed, week_intervals(slots)):
            day, offset = divmod(start, DAY)
            for part, (_, part_start, part_end) in enumerate(PARTS):
                if max(offset, part_start) < min(end - day * DAY, part_end):
                    covered.add((int(day), part))
        return sorted(covered)


def availability_phrase(day_parts: list[tuple[int, int]], share: float) -> Reason:
    """Return a short Dutch reason: "dinsdagmiddag beschikbaar", or "deels" when partial."""
    named = tuple(day_parts[:2])
    more = len(day_parts) > 2
    partial = share < 1.0
    names = [DAYS[day] + PARTS[part][0] for day, part in named]
    when = f"{names[0]}, {names[1]} en vaker" if more else " en ".join(names)
    text = f"{when} deels beschikbaar" if partial else f"{when} beschikbaar"
    return Reason(text, "available", day_parts=named, more=more, partial=partial)


class _Seconds(dict[time, float]):
    # Few distinct times occur in a week's slots; hashing a time is cheaper than sums.
    def __missing__(self, moment: time) -> float:
        self[moment] = _seconds(moment)
        return self[moment]


def _seconds(moment: time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
