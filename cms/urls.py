"""Site pages of the cms app outside the Wagtail page tree (in each language)."""

from django.urls import path

from . import views

app_name = "site"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("open-data/", views.open_data, name="open_data"),
]
