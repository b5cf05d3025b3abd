"""Three small algorithms that give the right answers, slowly.

Each one compares every item with (almost) every other item, so its work
grows with the square of the input: ten times more items, a hundred times
more work. Leave this file as it is; rewrite the functions in the notebook.
"""

from collections.abc import Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)
Interval = tuple[int, int]


def find_duplicates(items: Sequence[T]) -> list[T]:
    """Return the items that occur more than once, each once.

    They come in the order of their first occurrence.
    """
    duplicates: list[T] = []
    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i] == items[j] and items[i] not in duplicates:
                duplicates.append(items[i])
    return duplicates


def top_k_frequent(items: Sequence[T], k: int) -> list[T]:
    """Return the k most frequent items, the most frequent first.

    Items that occur equally often come in the order of their first
    occurrence; with fewer than k distinct items, all of them come back.
    """
    distinct: list[T] = []
    counts: list[int] = []
    for item in items:
        for index, seen in enumerate(distinct):
            if seen == item:
                counts[index] += 1
                break
        else:
            distinct.append(item)
            counts.append(1)
    ranked: list[T] = []
    while len(ranked) < k and distinct:
        best = 0
        for index in range(1, len(counts)):
            if counts[index] > counts[best]:
                best = index
        ranked.append(distinct.pop(best))
        counts.pop(best)
    return ranked


def merge_intervals(intervals: Sequence[Interval]) -> list[Interval]:
    """Merge intervals that overlap or touch; return them sorted by start.

    An interval ``(start, end)`` holds every number from start to end, both
    included, so ``(1, 3)`` and ``(3, 5)`` touch and merge into ``(1, 5)``.
    """
    merged: list[Interval] = []
    for start, end in intervals:
        kept: list[Interval] = []
        for other_start, other_end in merged:
            if other_start <= end and start <= other_end:
                start = min(start, other_start)
                end = max(end, other_end)
            else:
                kept.append((other_start, other_end))
        kept.append((start, end))
        merged = kept
    in_order: list[Interval] = []
    while merged:
        first = min(merged)
        merged.remove(first)
        in_order.append(first)
    return in_order
