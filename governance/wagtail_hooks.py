from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import events, permissions
from .adminviews import GovernanceViewSetGroup, register_permission_policies
from .adminviews.logins import URL_NAME as LOCKED_LOGINS
from .adminviews.logins import LockedLoginsView
from .models import User

# Before any viewset asks for a policy: Wagtail would otherwise fall back to plain
# model permissions, which know nothing of working groups.
register_permission_policies()


@hooks.register("register_admin_viewset")
def register_governance_admin():
    return GovernanceViewSetGroup()


@hooks.register("after_bulk_action")
def announce_people_changed_in_bulk(request, action_type, objects, action):
    """The users list's bulk actions (deactivate, change groups) write with update(),
    which sends no post_save: tell those people's open sockets here instead."""
    for person in objects:
        if isinstance(person, User):
            events.access_changed(person.pk)


@hooks.register("register_admin_urls")
def register_locked_logins_url():
    return [path("locked-logins/", LockedLoginsView.as_view(), name=LOCKED_LOGINS)]


class _SecretariatMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.can_unlock_address(request.user)


@hooks.register("register_settings_menu_item")
def register_locked_logins_menu_item():
    return _SecretariatMenuItem(
        _("Locked logins"), reverse(LOCKED_LOGINS), icon_name="lock", order=900
    )


@hooks.register("register_admin_urls")
def register_translation_urls():
    from .adminviews import translations as views

    return [
        path("translations/", views.TranslationListView.as_view(), name=views.LIST_URL),
        path(
            "translations/<int:ct>/<int:pk>/<str:field>/<str:language>/",
            views.TranslationEditView.as_view(),
            name=views.EDIT_URL,
        ),
        path("translations/export/", views.export_file, name=views.EXPORT_URL),
        path("translations/import/", views.TranslationImportView.as_view(), name=views.IMPORT_URL),
    ]


class _TranslatorMenuItem(MenuItem):
    def is_shown(self, request):
        from .adminviews.translations import may_use

        return may_use(request.user)


@hooks.register("register_admin_menu_item")
def register_translations_menu_item():
    return _TranslatorMenuItem(
        _("Translations"), reverse("governance_translations"), icon_name="globe", order=850
    )
