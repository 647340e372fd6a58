"""Signals other apps listen to; governance imports none of them.

`decision_recorded` is sent inside the transaction that records a Decision, so a
listener's writes (the public site drafts a decision page) commit or roll back with it.
"""

from django.dispatch import Signal

decision_recorded = Signal()  # kwargs: decision
