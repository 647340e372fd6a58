from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembershipConfig(AppConfig):
    name = "membership"
    verbose_name = _("Membership")

    def ready(self):
        from governance.signals import decision_recorded

        from .services import admissions

        # A certified ballot that admits organisations: accept their applications in
        # the same transaction as the decision.
        decision_recorded.connect(
            admissions.on_decision_recorded, dispatch_uid="membership.admit_by_decision"
        )
