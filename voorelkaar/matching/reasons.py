"""Why a candidate was ranked: a Dutch phrase that also says what it means.

A Reason is the phrase itself (it compares and hashes as its plain string), so callers
that only show Dutch need nothing else. Its code and values say the same thing as data,
so the web layer can say it in the visitor's language:

    distance          km: float, rounded to one decimal as in the phrase
    nearby            (less than 100 m)
    skill_can         skill: str, the tag as it reads in the phrase
    skill_experience  skill: str
    flexible          (no slots: any time)
    available         day_parts: ((weekday 0..6, part 0..2), ...), the one or two named;
                      more: bool, more parts are covered ("en vaker");
                      partial: bool, not all the needed time is covered ("deels")
    vog               (holds a VOG)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


class Reason(str):
    """A short Dutch phrase, equal to its text, with a code and values to translate it."""

    code: str
    values: Mapping[str, object]

    def __new__(cls, text: str, code: str, **values: object) -> Reason:
        reason = super().__new__(cls, text)
        # Through object: Reason's own __setattr__ refuses, so a reason cannot change.
        object.__setattr__(reason, "code", code)
        object.__setattr__(reason, "values", MappingProxyType(values))
        return reason

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Reason cannot be changed (tried to set {name})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a Reason cannot be changed (tried to delete {name})")
