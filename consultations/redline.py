"""Compare two versions of a draft standard clause by clause (the "redline").

Pure functions on plain data. Clauses are matched by their stable `key`, not
by number or position: renumbering after an insertion is not a change, and a
clause that moved is reported once as moved, not as removed plus added.

Which clauses "moved" is decided by the longest common subsequence of keys
(keys are unique, so that is the longest increasing run of old positions in
new order): the largest set of clauses that kept their relative order stays
put, and only the rest are moved. Moving one clause to the end therefore marks
that clause, not every clause after its old place.
"""

import difflib
import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

ADDED = "added"
REMOVED = "removed"
MOVED = "moved"
CHANGED = "changed"
UNCHANGED = "unchanged"
KINDS = (ADDED, REMOVED, MOVED, CHANGED, UNCHANGED)

EQUAL, INSERT, DELETE = "equal", "insert", "delete"

# A word or a punctuation mark with the whitespace before it, or trailing
# whitespace: the tokens cover the whole text, so joining them gives it back.
# Carrying the whitespace keeps " " from being the most common token, which
# would make the matcher quadratic (6 s instead of 0.2 s on a 5,000-word body).
_TOKEN_RE = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")


@dataclass(frozen=True)
class ClauseText:
    key: str
    number: str
    heading: str
    body: str


@dataclass(frozen=True)
class ClauseChange:
    """One row of the redline.

    `kind` is the primary label: "added", "removed", "moved", "changed" or
    "unchanged". A clause that both moved and changed text has kind "moved"
    with `changed=True`. A new number alone is not a change.
    """

    kind: str
    old: ClauseText | None
    new: ClauseText | None
    heading_diff: list[tuple[str, str]] = field(default_factory=list)
    body_diff: list[tuple[str, str]] = field(default_factory=list)
    moved: bool = False
    changed: bool = False


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _merge(ops: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join neighbours with the same op; drop empty parts."""
    merged: list[tuple[str, str]] = []
    for op, text in ops:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """A word-level diff as (op, text) pairs, op in "equal" / "insert" / "delete".

    Invariant: the "equal" and "insert" parts joined give `new`; the "equal"
    and "delete" parts joined give `old`. A lone space kept "equal" between
    two edits is folded into them, so "the cat" -> "a dog" reads as one
    replacement rather than two with a space between.
    """
    a, b = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append((EQUAL, "".join(a[i1:i2])))
        else:
            ops.append((DELETE, "".join(a[i1:i2])))
            ops.append((INSERT, "".join(b[j1:j2])))
    ops = _merge(ops)

    # Fold whitespace-only equal parts that sit between two edits.
    folded: list[tuple[str, str]] = []
    for index, (op, text) in enumerate(ops):
        between_edits = 0 < index < len(ops) - 1 and ops[index + 1][0] != EQUAL
        if op == EQUAL and not text.strip() and between_edits and folded[-1][0] != EQUAL:
            folded += [(DELETE, text), (INSERT, text)]
        else:
            folded.append((op, text))

    # Within each run of edits, show all deletions before all insertions.
    result: list[tuple[str, str]] = []
    run: list[tuple[str, str]] = []
    for op, text in [*folded, (EQUAL, "")]:
        if op != EQUAL:
            run.append((op, text))
            continue
        result += [(DELETE, "".join(t for o, t in run if o == DELETE))]
        result += [(INSERT, "".join(t for o, t in run if o == INSERT))]
        result.append((EQUAL, text))
        run = []
    return _merge(result)


def redline_html(diff: list[tuple[str, str]]) -> SafeString:
    """HTML for a word diff: insertions in <ins>, deletions in <del>.

    Every piece of text is escaped, so the result is safe to put in a page.
    """
    parts = []
    for op, text in diff:
        if op == INSERT:
            parts.append(format_html("<ins>{}</ins>", text))
        elif op == DELETE:
            parts.append(format_html("<del>{}</del>", text))
        else:
            parts.append(escape(text))
    # Every part above is escaped or built by format_html.
    return mark_safe("".join(parts))


def _stable_keys(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """Keys in the longest common subsequence of the two orders (patience LIS)."""
    old_index = {key: index for index, key in enumerate(old_keys)}
    common = [key for key in new_keys if key in old_index]
    positions = [old_index[key] for key in common]
    tails: list[int] = []  # tails[n] = smallest ending position of a run of length n+1
    tail_at: list[int] = []  # index into `common` of that ending element
    previous: list[int] = [-1] * len(common)
    for i, position in enumerate(positions):
        slot = bisect_left(tails, position)
        if slot == len(tails):
            tails.append(position)
            tail_at.append(i)
        else:
            tails[slot] = position
            tail_at[slot] = i
        previous[i] = tail_at[slot - 1] if slot else -1
    stable = set()
    i = tail_at[-1] if tail_at else -1
    while i != -1:
        stable.add(common[i])
        i = previous[i]
    return stable


def _unique_keys(clauses: Sequence[ClauseText], which: str) -> dict[str, ClauseText]:
    by_key = {clause.key: clause for clause in clauses}
    if len(by_key) != len(clauses):
        raise ValueError(f"clause keys must be unique within the {which} version")
    return by_key


def compare(old: Sequence[ClauseText], new: Sequence[ClauseText]) -> list[ClauseChange]:
    """The redline of `old` -> `new`, in the new version's order.

    A removed clause is placed right after its nearest predecessor in the old
    version that still exists (before everything if it has none), so it shows
    up where a reader of the old version would look for it.
    """
    old_by_key = _unique_keys(old, "old")
    new_by_key = _unique_keys(new, "new")
    stable = _stable_keys([c.key for c in old], [c.key for c in new])

    removed_after: dict[str | None, list[ClauseText]] = {}
    anchor = None
    for clause in old:
        if clause.key in new_by_key:
            anchor = clause.key
        else:
            removed_after.setdefault(anchor, []).append(clause)

    def removed(clause: ClauseText) -> ClauseChange:
        return ClauseChange(
            REMOVED,
            clause,
            None,
            word_diff(clause.heading, ""),
            word_diff(clause.body, ""),
        )

    changes = [removed(clause) for clause in removed_after.get(None, [])]
    for clause in new:
        before = old_by_key.get(clause.key)
        if before is None:
            changes.append(
                ClauseChange(
                    ADDED, None, clause, word_diff("", clause.heading), word_diff("", clause.body)
                )
            )
            continue
        moved = clause.key not in stable
        changed = (before.heading, before.body) != (clause.heading, clause.body)
        kind = MOVED if moved else CHANGED if changed else UNCHANGED
        changes.append(
            ClauseChange(
                kind,
                before,
                clause,
                word_diff(before.heading, clause.heading),
                word_diff(before.body, clause.body),
                moved=moved,
                changed=changed,
            )
        )
        changes += [removed(gone) for gone in removed_after.get(clause.key, [])]
    return changes


def summary(changes: Sequence[ClauseChange]) -> dict[str, int]:
    """How many clauses of each kind, every kind present (zero if none).

    "moved" counts by primary label; "moved_and_changed" says how many of
    those also changed text.
    """
    counts = dict.fromkeys(KINDS, 0)
    for change in changes:
        counts[change.kind] += 1
    counts["moved_and_changed"] = sum(1 for c in changes if c.moved and c.changed)
    return counts
