"""Fuzzy matching of free Dutch skill tags: "Boodschapen doen" is "boodschappen".

A tag is normalised first: accents dropped, case folded, filler words ("doen", "hulp bij")
removed and each word cut to a rough Dutch stem ("wandeling" and "wandelen" both become
"wandel", "boodschappen" and "boodschapen" both "boodschap"). What is left is compared with
rapidfuzz, taking the best of plain, word-order-free and word-subset similarity, so typos
and reordered words still match. Below 60% similarity two tags count as unrelated (credit
0), at 100% as the same (credit 1), linearly in between.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain

import numpy as np
from rapidfuzz import fuzz

from voorelkaar.matching.reasons import Reason

UNRELATED_BELOW = 0.6
MATCHED_FROM = 0.8

# Words that say how, not what: "boodschappen doen" asks for the same as "boodschappen".
_FILLER_WORDS = "aan bij de doen een en graag het hulp in met of op te van voor wil willen"
_FILLER = frozenset(_FILLER_WORDS.split())
# Longest first; one suffix per round, two rounds: "wandelingen" -> "wandel".
_SUFFIXES = ("ingen", "ing", "en", "e", "s")
_MIN_STEM = 3
_WORD = re.compile(r"[^\W_]+")
_PREPOSITION_WORDS = "aan bij en in met naar of op te van voor"
_PREPOSITIONS = frozenset(_PREPOSITION_WORDS.split())


@lru_cache(maxsize=65_536)
def normalise(skill: str) -> str:
    """Return the comparable form of a tag: no accents, folded case, no filler, stemmed."""
    decomposed = unicodedata.normalize("NFKD", skill)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    words = _WORD.findall(plain)
    # A tag of only filler words ("helpen") still means something: keep it then.
    meaningful = [word for word in words if word not in _FILLER] or words
    return " ".join(_stem(word) for word in meaningful)


def _stem(word: str) -> str:
    for _ in range(2):
        suffix = next((s for s in _SUFFIXES if word.endswith(s)), "")
        if not suffix or len(word) - len(suffix) < _MIN_STEM:
            break
        word = word[: -len(suffix)]
    # Compounds on "-hulp" ask for the first part: "tuinhulp" is help in the garden.
    if word.endswith("hulp") and len(word) >= 4 + _MIN_STEM:
        word = word[:-4]
    # Dutch doubles a consonant before -en: "boodschapp(en)" is "boodschap".
    if len(word) > _MIN_STEM and word[-1] == word[-2] and word[-1] not in "aeiou":
        word = word[:-1]
    return word


def similarity(a: str, b: str) -> float:
    """Return how alike two normalised tags are, 0..1, forgiving typos and word order."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    best = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b), fuzz.token_set_ratio(a, b))
    return best / 100


def credit(alike: float) -> float:
    """Turn a similarity into a skill credit: 0 below UNRELATED_BELOW, linear up to 1."""
    return max(0.0, (alike - UNRELATED_BELOW) / (1 - UNRELATED_BELOW))


def needed_skills(skills: tuple[str, ...]) -> tuple[str, ...]:
    """Return the need's tags without blanks and without tags that normalise alike."""
    kept: dict[str, str] = {}
    for skill in skills:
        kept.setdefault(normalise(skill), skill)
    kept.pop("", None)
    return tuple(kept.values())


class SkillMatcher:
    """For one ranking: how well tags match the need's tags.

    Each distinct tag is normalised and compared with the need's tags once, however many
    candidates share it; combining per candidate happens in numpy.
    """

    def __init__(self, needed: tuple[str, ...]) -> None:
        self.needed = needed
        self._normalised = tuple(normalise(skill) for skill in needed)
        self._alike: dict[str, tuple[float, ...]] = {}

    def scores(self, tag_lists: Sequence[tuple[str, ...]]) -> np.ndarray:
        """Return each candidate's skill score: the mean credit over the needed tags."""
        counts = np.fromiter(map(len, tag_lists), dtype=np.int64, count=len(tag_lists))
        codes: dict[str, int] = {}
        flat = np.fromiter(
            (codes.setdefault(tag, len(codes)) for tag in chain.from_iterable(tag_lists)),
            dtype=np.int64,
            count=int(counts.sum()),
        )
        alike = np.array([self.alike(tag) for tag in codes], dtype=np.float64)
        best = np.zeros((len(tag_lists), len(self.needed)))
        tagged = counts > 0
        if tagged.any():
            # The rows of one candidate are adjacent, so a segmented max gives their best.
            starts = (np.cumsum(counts) - counts)[tagged]
            best[tagged] = np.maximum.reduceat(alike[flat], starts, axis=0)
        credits = np.maximum(0.0, (best - UNRELATED_BELOW) / (1 - UNRELATED_BELOW))
        return credits.mean(axis=1)

    def matched(self, tags: tuple[str, ...]) -> list[str]:
        """Return the needed tags that these tags match well enough to say so."""
        best = [
            max((self.alike(tag)[i] for tag in tags), default=0.0) for i in range(len(self.needed))
        ]
        return [
            skill for skill, alike in zip(self.needed, best, strict=True) if alike >= MATCHED_FROM
        ]

    def alike(self, tag: str) -> tuple[float, ...]:
        """Return the similarity of one tag to each needed tag."""
        key = normalise(tag)
        alike = self._alike.get(key)
        if alike is None:
            alike = tuple(similarity(key, needed) for needed in self._normalised)
            self._alike[key] = alike
        return alike


def skill_phrase(skill: str) -> Reason:
    """Return a short Dutch reason for a matched tag: "kan boodschappen doen"."""
    words = [word if word.isupper() and len(word) > 1 else word.lower() for word in skill.split()]
    text = " ".join(words)
    # "boodschappen doen" and "hond uitlaten" end in a verb; "boodschappen", "wandelen"
    # on their own and "hulp bij de computer" read better after "heeft ervaring met".
    if len(words) > 1 and words[-1].endswith("en") and words[-2] not in _PREPOSITIONS:
        return Reason(f"kan {text}", "skill_can", skill=text)
    return Reason(f"heeft ervaring met {text}", "skill_experience", skill=text)
