"""The live class view: how many answered each question of a quiz set, and the share right.

Kept in this process's memory only, for the length of a class: no names, no database, no
network beyond the LAN the class is on. A device is told apart by a random cookie token, so a
reloaded answer is not counted twice; the token is never shown and dies with the tally.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

CLASS_HOURS = 3  # a tally untouched this long is forgotten: the class is over
MAX_CLASSES = 200  # a LAN service; a flood of made-up set numbers can't fill the memory


@dataclass
class QuestionTally:
    answered: set[str] = field(default_factory=set)
    right: set[str] = field(default_factory=set)


@dataclass
class ClassTally:
    questions: dict[int, QuestionTally] = field(default_factory=dict)
    touched: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_classes: dict[tuple[str, str], ClassTally] = {}


def _forget_old(now: float) -> None:
    for key in [k for k, tally in _classes.items() if now - tally.touched > CLASS_HOURS * 3600]:
        del _classes[key]
    while len(_classes) >= MAX_CLASSES:
        del _classes[min(_classes, key=lambda k: _classes[k].touched)]


def record(collection: str, quiz_set: str, number: int, device: str, right: bool) -> None:
    """One device's first answer to question `number` of the set (later answers are ignored)."""
    now = time.monotonic()
    with _lock:
        key = (collection, quiz_set)
        if key not in _classes:
            _forget_old(now)
        tally = _classes.setdefault(key, ClassTally())
        tally.touched = now
        question = tally.questions.setdefault(number, QuestionTally())
        if device in question.answered:
            return
        question.answered.add(device)
        if right:
            question.right.add(device)


def counts(collection: str, quiz_set: str, total: int) -> list[tuple[int, int, int]]:
    """(question number, how many answered, how many right) for questions 1..total."""
    with _lock:
        tally = _classes.get((collection, quiz_set))
        rows = []
        for number in range(1, total + 1):
            question = tally.questions.get(number) if tally else None
            rows.append((number, len(question.answered) if question else 0,
                         len(question.right) if question else 0))
        return rows


def clear() -> None:
    """Forget every class (tests, and a restart does the same)."""
    with _lock:
        _classes.clear()
