from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Public site")

    def ready(self):
        from wagtail.signals import page_published

        from governance.signals import decision_recorded

        from . import decisions
        from .models import DecisionIndexPage, DecisionPage

        # A recorded decision gets a draft page; a new register gets its workflow.
        decision_recorded.connect(
            decisions.on_decision_recorded, dispatch_uid="cms.draft_decision_page"
        )
        # Publishing a decision's page enters the governance audit chain.
        page_published.connect(
            decisions.on_page_published,
            sender=DecisionPage,
            dispatch_uid="cms.audit_decision_publication",
        )
        post_save.connect(
            decisions.on_register_saved,
            sender=DecisionIndexPage,
            dispatch_uid="cms.wire_decision_register",
        )
