"""The session engine (settings.SESSION_ENGINE): Django's database sessions, which
also tell a person's open sockets when one of their sessions ends — logging out,
someone else signing in on the same browser (through any login page, the admin's
included), or a new session key after a password change."""

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from . import events


class SessionStore(DatabaseSessionStore):
    def flush(self):
        ended = self._signed_in()
        super().flush()
        self._announce(*ended)

    def cycle_key(self):
        ended = self._signed_in()
        super().cycle_key()
        self._announce(*ended)

    def _signed_in(self) -> tuple[str | None, str | None]:
        return self.session_key, self.get(SESSION_KEY)

    @staticmethod
    def _announce(session_key: str | None, person_id: str | None) -> None:
        if session_key and person_id:
            events.access_changed(int(person_id), ended_session=session_key)
