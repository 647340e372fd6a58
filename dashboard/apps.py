from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("My Chaintable")

    def ready(self):
        from governance.signals import people_notified

        from .services import on_people_notified

        people_notified.connect(on_people_notified, dispatch_uid="dashboard.notifications")
