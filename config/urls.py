from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.shortcuts import redirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import TemplateView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config import language

handler400 = "config.errors.bad_request"

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page links: send them to the SVG.
    path("favicon.ico", lambda request: redirect(static_url("favicon.svg")), name="favicon"),
    # The language switcher's links: remember the choice, same page in that language.
    path("i18n/<slug:code>/", language.choose_language, name="choose_language"),
    # Open data (API, feeds, calendars, exports): the same URLs in every language.
    path("", include("cms.public_urls")),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("governance.urls.accounts")),
    path("ballots/", include("governance.urls.ballots")),
    path("me/", include("dashboard.urls")),
    path("discussions/", include("consultations.discussion_urls")),
    path("", include("cms.urls")),
    path("", include("membership.urls")),
    path("", include("consultations.urls")),
    # The design system's living page (docs/design.md).
    path(
        "styleguide/", TemplateView.as_view(template_name="cms/styleguide.html"), name="styleguide"
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
