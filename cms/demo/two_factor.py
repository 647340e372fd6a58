"""Demo staff give a second factor like everyone else: they share one known key, so a
newcomer can add it to any authenticator app, or print the current code with
`manage.py demo_code`. As well known as the demo password: demo data only."""

from base64 import b32encode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance import permissions, two_factor
from governance.services import two_factor as services

DEMO_TOTP_KEY = b"chaintable-demo-totp"  # 20 bytes, as authenticator apps expect


def demo_secret() -> str:
    """The key as apps take it (base32), in groups of four."""
    secret = b32encode(DEMO_TOTP_KEY).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def current_code() -> str:
    return f"{totp(DEMO_TOTP_KEY):06d}"


def load(people) -> list[str]:
    """Enrol every demo person who needs a second factor, through the enrolment service
    (the first code computed from the key). Returns their usernames."""
    enrolled = []
    for username, person in people.items():
        if not permissions.needs_second_factor(person):
            continue
        enrolled.append(username)
        if two_factor.confirmed_app(person) is not None:
            continue
        device = services.two_factor_start(actor=person)
        TOTPDevice.objects.filter(pk=device.pk).update(key=DEMO_TOTP_KEY.hex())
        device.refresh_from_db()
        services.two_factor_confirm(actor=person, device=device, token=current_code())
        # Enrolling used up the code of the moment (a code works once): give it back,
        # so that a newcomer can log in with it straight after `make run`.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return enrolled
