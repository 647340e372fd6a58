"""Per-address limits for the account pages, on the shared counters of governance.ratelimit.

Many people in Kolwezi share one address (mobile carriers' NAT, cyber cafés,
workshops), so the limits are generous and count what an attacker needs many
of: registrations, reset emails. Failed logins are django-axes' (login_throttle).

RATE_LIMIT_PROXY_COUNT = n (settings): the number of trusted reverse proxies in
front of the app; the client address is then read from X-Forwarded-For. Leave it
at 0 (REMOTE_ADDR) unless a proxy you control always sets that header.
"""

from django.conf import settings

from governance.ratelimit import RateLimit

REGISTER = RateLimit("register")
PASSWORD_RESET = RateLimit("password_reset")
VERIFICATION_RESEND = RateLimit("verification_resend")
EMAIL_CHANGE = RateLimit("email_change")


def client_address(request) -> str:
    proxies = getattr(settings, "RATE_LIMIT_PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
