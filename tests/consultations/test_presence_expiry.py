"""A viewer counts while its socket shows signs of life (joining, then every tick);
one that went silent without leaving stops counting after PresenceBoard.TTL."""

import itertools

from consultations import discussion_events
from consultations.discussion_events import PresenceBoard


def test_a_silent_viewer_expires_and_a_ticking_one_stays(monkeypatch):
    clock = itertools.count(1000.0, 0.0)  # a frozen clock, moved by hand
    now = [next(clock)]
    monkeypatch.setattr(discussion_events.time, "monotonic", lambda: now[0])
    board = PresenceBoard()
    board.join(7, "ghost", None, "")
    board.join(7, "alive", 5, "Amani")
    assert board.summary(7)["count"] == 2

    now[0] += PresenceBoard.TTL - 1
    board.touch(7, "alive")  # its socket ticked; the ghost's never will
    assert board.summary(7)["count"] == 2

    now[0] += 2
    assert board.summary(7) == {"count": 1, "names": ["Amani"]}
    assert set(board.local[7]) == {"alive"}

    now[0] += PresenceBoard.TTL + 1
    assert board.summary(7)["count"] == 0
    assert 7 not in board.local
