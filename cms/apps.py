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
        connect_page_cache_purges()


def connect_page_cache_purges() -> None:
    """Any change of content empties the anonymous page cache (config.pagecache)."""
    from django.db.models.signals import m2m_changed, post_delete
    from wagtail.signals import page_unpublished, post_page_move, unpublished

    from config import pagecache

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(pagecache.content_changed, dispatch_uid=f"pagecache.{id(signal)}")
    for signal in (page_unpublished, unpublished, post_page_move):
        signal.connect(pagecache.content_changed, dispatch_uid=f"pagecache.{id(signal)}")
