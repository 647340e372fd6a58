"""Redline: clause-by-clause comparison of two versions and word-level diffs."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consultations.redline import (
    ClauseText,
    compare,
    redline_html,
    summary,
    word_diff,
)


def clause(key, number=None, heading=None, body=None):
    return ClauseText(key, number or key, heading or f"Heading {key}", body or f"Body of {key}.")


def kinds(changes):
    return [(c.kind, (c.new or c.old).key) for c in changes]


# --- compare ------------------------------------------------------------------


def test_identical_versions_are_unchanged():
    old = [clause("a"), clause("b")]
    changes = compare(old, list(old))
    assert kinds(changes) == [("unchanged", "a"), ("unchanged", "b")]
    assert all(not c.moved and not c.changed for c in changes)
    assert changes[0].body_diff == [("equal", "Body of a.")]


def test_renumbering_alone_is_not_a_change():
    old = [clause("a", "1"), clause("b", "2")]
    new = [clause("x", "1"), clause("a", "2"), clause("b", "3")]
    assert kinds(compare(old, new)) == [("added", "x"), ("unchanged", "a"), ("unchanged", "b")]


def test_moved_changed_added_removed_together():
    old = [clause(k) for k in "abcdef"]
    new = [
        clause("f", heading="Heading f, renamed"),  # moved and changed
        clause("a"),
        clause("c", body="Body of c, reworded."),  # changed
        clause("n"),  # added
        clause("d"),
        clause("b"),  # moved
        # "e" removed: it followed "d" in the old version
    ]
    changes = compare(old, new)
    # a, c, d kept their relative order (the longest such run): they did not move.
    assert kinds(changes) == [
        ("moved", "f"),
        ("unchanged", "a"),
        ("changed", "c"),
        ("added", "n"),
        ("unchanged", "d"),
        ("removed", "e"),
        ("moved", "b"),
    ]
    by_key = {(c.new or c.old).key: c for c in changes}
    assert (by_key["b"].moved, by_key["b"].changed) == (True, False)
    assert (by_key["f"].moved, by_key["f"].changed) == (True, True)
    assert (by_key["c"].moved, by_key["c"].changed) == (False, True)
    assert by_key["c"].body_diff == [
        ("equal", "Body of c"),
        ("insert", ", reworded"),
        ("equal", "."),
    ]
    assert by_key["f"].heading_diff == [("equal", "Heading f"), ("insert", ", renamed")]
    assert by_key["n"].old is None and by_key["n"].body_diff == [("insert", "Body of n.")]
    assert by_key["e"].new is None and by_key["e"].heading_diff == [("delete", "Heading e")]
    assert summary(changes) == {
        "added": 1,
        "removed": 1,
        "moved": 2,
        "changed": 1,
        "unchanged": 2,
        "moved_and_changed": 1,
    }


def test_moving_one_clause_to_the_end_marks_only_that_clause():
    old = [clause(k) for k in "abcdefgh"]
    new = [clause(k) for k in "bcdefgha"]
    assert [c.key for c in (ch.new for ch in compare(old, new)) if c] == list("bcdefgha")
    assert [ch.new.key for ch in compare(old, new) if ch.moved] == ["a"]


def test_moving_one_clause_to_the_front_marks_only_that_clause():
    old = [clause(k) for k in "abcdefgh"]
    new = [clause(k) for k in "habcdefg"]
    assert [ch.new.key for ch in compare(old, new) if ch.moved] == ["h"]


def test_removed_clauses_follow_their_old_predecessor():
    old = [clause(k) for k in "abcde"]
    new = [clause("b"), clause("e")]
    # "a" had no predecessor: it leads; "c" and "d" follow "b" in old order.
    assert kinds(compare(old, new)) == [
        ("removed", "a"),
        ("unchanged", "b"),
        ("removed", "c"),
        ("removed", "d"),
        ("unchanged", "e"),
    ]


def test_everything_replaced_and_empty_versions():
    assert kinds(compare([clause("a")], [clause("b")])) == [("removed", "a"), ("added", "b")]
    assert compare([], []) == []
    assert summary([]) == dict.fromkeys(
        ["added", "removed", "moved", "changed", "unchanged", "moved_and_changed"], 0
    )


def test_duplicate_keys_are_a_programming_error():
    with pytest.raises(ValueError, match="unique"):
        compare([clause("a"), clause("a")], [])
    with pytest.raises(ValueError, match="unique"):
        compare([], [clause("a"), clause("a")])


# --- word_diff ----------------------------------------------------------------


def test_word_diff_replacement_reads_as_one_edit():
    assert word_diff("the cat sat", "a dog sat") == [
        ("delete", "the cat"),
        ("insert", "a dog"),
        ("equal", " sat"),
    ]


def test_word_diff_keeps_punctuation_and_whitespace():
    diff = word_diff("Miners must register.\n", "Miners shall register, annually.\n")
    assert diff == [
        ("equal", "Miners"),
        ("delete", " must"),
        ("insert", " shall"),
        ("equal", " register"),
        ("insert", ", annually"),
        ("equal", ".\n"),
    ]


def test_word_diff_edges():
    assert word_diff("", "") == []
    assert word_diff("same", "same") == [("equal", "same")]
    assert word_diff("", "new") == [("insert", "new")]
    assert word_diff("old", "") == [("delete", "old")]


def project(diff, keep):
    return "".join(text for op, text in diff if op in ("equal", keep))


words = st.lists(
    st.one_of(
        st.sampled_from(["cobalt", "mine", "the", "shall", "must", " ", "  ", "\n", ".", ",", "é"]),
        st.text(max_size=4),
    ),
    max_size=30,
).map("".join)


@given(old=words, new=words)
def test_word_diff_projections_rebuild_both_texts(old, new):
    diff = word_diff(old, new)
    assert project(diff, "insert") == new
    assert project(diff, "delete") == old
    assert all(op in ("equal", "insert", "delete") and text for op, text in diff)
    # Adjacent parts never share an op, and equal parts are never split.
    assert all(a[0] != b[0] for a, b in zip(diff, diff[1:], strict=False))


@given(old=st.text(), new=st.text())
def test_word_diff_projections_on_arbitrary_text(old, new):
    diff = word_diff(old, new)
    assert project(diff, "insert") == new
    assert project(diff, "delete") == old


# --- redline_html -------------------------------------------------------------


def test_redline_html_escapes_every_part():
    diff = word_diff("<b>old</b> & co", "<script>new</script> & co")
    html = redline_html(diff)
    assert "<script>" not in html and "<b>" not in html
    assert html == (
        "&lt;<del>b</del><ins>script</ins>&gt;<del>old</del><ins>new</ins>&lt;/"
        "<del>b</del><ins>script</ins>&gt; &amp; co"
    )
    assert hasattr(html, "__html__")  # already marked safe for templates


def test_redline_html_plain():
    html = redline_html([("equal", "a "), ("delete", "b"), ("insert", "c")])
    assert html == "a <del>b</del><ins>c</ins>"
