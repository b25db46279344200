"""Parts of pages kept in memory, each under a key that names everything it was worked out from.

A plan's outline takes dozens of queries to work out and is read far more often than it changes. It
is kept under the plan's content stamp (renewed by every change, `app.plan_stamp`), the reader (what
they may see differs), their part in the plan, the UK date (what is due or overdue moves with
it) and whatever else a part names (the outline: when the reader last looked), so a kept part is
only ever shown to the person it was made for, and never after a change. Each process keeps its
own; the least recently used parts go first. Reads are still audited each time: only the working
out is saved.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from fastapi import Request

from app.clock import uk_today
from app.permissions import PlanAccess

T = TypeVar("T")

PARTS_KEPT = 2000
"""About 25 KB each: at most some 50 MB per process."""


class PageCache:
    def __init__(self, size: int = PARTS_KEPT) -> None:
        self._size = size
        self._parts: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = Lock()
        self._making: dict[Hashable, Lock] = {}
        """A turn per part being made: many readers of a plan that just changed make it once, not each."""

    def part(self, key: Hashable, make: Callable[[], T]) -> T:
        """The part kept under `key`, or made now by the first who asks (the others wait for it).

        Only readers of this very part wait, and only while it is made; all else goes on. Without the
        turn, sixteen people opening a large plan at once after a change made its outline sixteen times
        over, on the same cores.
        """
        with self._lock:
            if key in self._parts:
                self._parts.move_to_end(key)
                kept: T = self._parts[key]
                return kept
            turn = self._making.setdefault(key, Lock())
        with turn:
            with self._lock:
                if key in self._parts:  # made by the one whose turn it was
                    self._parts.move_to_end(key)
                    made_meanwhile: T = self._parts[key]
                    return made_meanwhile
            try:
                made = make()
            except BaseException:
                with self._lock:
                    self._making.pop(key, None)
                raise
            with self._lock:
                self._parts[key] = made
                self._parts.move_to_end(key)
                while len(self._parts) > self._size:
                    self._parts.popitem(last=False)
                self._making.pop(key, None)
        return made

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()


def page_cache(request: Request) -> PageCache:
    """The serving process's own (made with the app)."""
    cache: PageCache = request.app.state.page_cache
    return cache


def for_reader(part: str, access: PlanAccess, *also: Hashable) -> Hashable:
    """The key of a part worked out from a plan for one reader: the plan as it stands (its stamp),
    who reads it and as what, the UK day (what is due or overdue moves with it), and `also`: anything
    else the part depends on (such as when the reader last looked)."""
    plan = access.plan
    return (
        part,
        plan.id,
        plan.content_stamp,
        access.person.id,
        access.member_role,
        access.audits,
        uk_today(),
        *also,
    )
