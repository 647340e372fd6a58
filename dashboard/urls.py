"""Personal pages under /me/ (inside i18n_patterns)."""

from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("following/", views.following, name="following"),
    path("following/follow/", views.follow, name="follow"),
    path("following/unfollow/", views.unfollow, name="unfollow"),
]
