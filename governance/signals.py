"""Signals other apps listen to; governance imports none of them.

`decision_recorded` is sent inside the transaction that records a Decision, so a
listener's writes (the public site drafts a decision page) commit or roll back with it.

`people_notified` is sent after the change commits (`governance.notices.notify`): the
dashboard turns it into in-site notifications for those people and for whoever follows
the object, each only if they may see it.
"""

from django.dispatch import Signal

decision_recorded = Signal()  # kwargs: decision
people_notified = Signal()  # kwargs: kind, obj, people (ids), actor_id, at, followers
