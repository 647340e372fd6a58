"""The open data: API, feeds, calendars and exports. Included outside
i18n_patterns: these URLs are the same in every language, and the language of
their text follows the Accept-Language header.

Every answer is public and the same for every reader: Cache-Control public,
max-age=300, and an ETag (the API through PublicAPI, the rest through public_view).
"""

from django.urls import path

from . import calendars, exports, feeds
from .api.app import api
from .api.http import public_view

decisions_rss, decisions_atom = feeds.DecisionsFeed(), feeds.DecisionsAtomFeed()
consultations_rss, consultations_atom = feeds.ConsultationsFeed(), feeds.ConsultationsAtomFeed()

urlpatterns = [
    path("api/v1/", api.urls),
    # Feeds
    path("feeds/decisions.rss", public_view(decisions_rss), name="feed_decisions_rss"),
    path("feeds/decisions.atom", public_view(decisions_atom), name="feed_decisions_atom"),
    path(
        "feeds/consultations.rss",
        public_view(consultations_rss),
        name="feed_consultations_rss",
    ),
    path(
        "feeds/consultations.atom",
        public_view(consultations_atom),
        name="feed_consultations_atom",
    ),
    path(
        "feeds/groups/<slug:slug>/decisions.rss",
        public_view(decisions_rss),
        name="feed_group_decisions_rss",
    ),
    path(
        "feeds/groups/<slug:slug>/decisions.atom",
        public_view(decisions_atom),
        name="feed_group_decisions_atom",
    ),
    path(
        "feeds/groups/<slug:slug>/consultations.rss",
        public_view(consultations_rss),
        name="feed_group_consultations_rss",
    ),
    path(
        "feeds/groups/<slug:slug>/consultations.atom",
        public_view(consultations_atom),
        name="feed_group_consultations_atom",
    ),
    # Calendars
    path("calendar.ics", public_view(calendars.site_calendar), name="calendar"),
    path(
        "calendar/groups/<slug:slug>.ics",
        public_view(calendars.group_calendar),
        name="calendar_group",
    ),
    # Exports
    path(
        "exports/decisions.csv",
        public_view(exports.decisions_export),
        {"fmt": "csv"},
        name="export_decisions_csv",
    ),
    path(
        "exports/decisions.xlsx",
        public_view(exports.decisions_export),
        {"fmt": "xlsx"},
        name="export_decisions_xlsx",
    ),
    path(
        "exports/ballots/<int:pk>.csv",
        public_view(exports.ballot_export),
        {"fmt": "csv"},
        name="export_ballot_csv",
    ),
    path(
        "exports/ballots/<int:pk>.xlsx",
        public_view(exports.ballot_export),
        {"fmt": "xlsx"},
        name="export_ballot_xlsx",
    ),
]
