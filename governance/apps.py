from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class GovernanceConfig(AppConfig):
    # Two AppConfigs live here: without `default`, Django picks neither for
    # "governance" and ready() (the receivers) never runs.
    default = True
    name = "governance"
    verbose_name = _("Governance")

    def ready(self):
        from . import receivers

        receivers.connect()


class WagtailUsersConfig(WagtailUsersAppConfig):
    """Wagtail's users admin, with forms that keep login names apart and leave the
    email address to the person's own confirmed change (governance.adminviews.users)."""

    user_viewset = "governance.adminviews.users.UserViewSet"
