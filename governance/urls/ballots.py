"""Ballot pages, under /ballots/ (inside i18n_patterns). WebSockets: governance/routing.py."""

from django.urls import path

from ..views import ballots as views

app_name = "ballots"

urlpatterns = [
    path("group/<slug:slug>/", views.group_ballots, name="group"),
    path("group/<slug:slug>/new/", views.ballot_create, name="create"),
    path("group/<slug:slug>/consensus/", views.consensus_record, name="consensus"),
    path("<int:pk>/", views.ballot_detail, name="detail"),
    path("<int:pk>/seats/<int:seat_id>/vote/", views.vote, name="vote"),
    path("<int:pk>/seats/<int:seat_id>/proxy/", views.delegation_grant, name="delegate"),
    path(
        "<int:pk>/proxies/<int:delegation_id>/revoke/",
        views.delegation_revoke,
        name="revoke_delegation",
    ),
    path("<int:pk>/edit/", views.ballot_edit, name="edit"),
    path("<int:pk>/open/", views.ballot_open, name="open"),
    path("<int:pk>/cancel/", views.ballot_cancel, name="cancel"),
    path("<int:pk>/close/", views.ballot_close, name="close"),
    path("<int:pk>/certify/", views.ballot_certify, name="certify"),
    path("<int:pk>/links/", views.ballot_links_page, name="links"),
    path("<int:pk>/links/send/", views.ballot_links_send, name="send_links"),
    path("<int:pk>/links/<int:seat_id>/print/", views.ballot_link_print, name="print_link"),
    path("<int:pk>/assisted/", views.assisted, name="assisted"),
    path(
        "<int:pk>/assisted/<int:participation_id>/scan/",
        views.attestation_scan,
        name="attestation_scan",
    ),
    path("<int:pk>/bulletin/", views.bulletin_page, name="bulletin"),
    path("<int:pk>/bulletin.csv", views.bulletin_csv, name="bulletin_csv"),
    # A personal link: the token contains ":" and never "/".
    path("v/<str:token>/", views.link_vote, name="link"),
]
