"""The Content-Security-Policy of every response (django-csp 4).

The site: scripts and styles only from the site itself, or inline with the
response's nonce (`{{ request.csp_nonce }}`); no 'unsafe-inline' for scripts.
Wagtail's admin (under /admin/) ships inline scripts (panels, date widgets) and
style attributes that carry no nonce, so there, and only there, scripts and styles
may be inline: settings.CONTENT_SECURITY_POLICY_ADMIN. Its other directives are the
site's. docs/architecture.md says the same.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class SitePolicyMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path_info.startswith(ADMIN_PREFIX):
            directives = {
                **settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
                **settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"],
            }
            parts.config = default_config(directives)
        return parts
