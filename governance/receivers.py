"""Django signals governance listens to: they tell live sockets when a person's
access may have changed, so that those sockets check again at once. (Sessions that
end say so themselves: governance/sessions.py.)"""

from django.db.models.signals import post_save

from . import events
from .models import User


def on_person_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """A password, an active flag or an administrator's flag may have changed; logging
    in (which only stamps last_login) changes nothing anyone may see."""
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    events.access_changed(instance.pk)


def connect() -> None:
    post_save.connect(on_person_saved, sender=User, dispatch_uid="governance.person_saved")
