"""Discussion pages, included at /discussions/ (namespace "discussions")."""

from django.urls import path

from .views import discussions as views

app_name = "discussions"

urlpatterns = [
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/post/", views.thread_post, name="post"),
    path("messages/<int:pk>/edit/", views.message_edit, name="edit"),
    path("messages/<int:pk>/delete/", views.message_delete, name="delete"),
    path("messages/<int:pk>/hide/", views.message_hide, name="hide"),
    path("messages/<int:pk>/unhide/", views.message_unhide, name="unhide"),
    path("messages/<int:pk>/review/", views.review_decide, name="review_decide"),
    path("review/", views.review_queue, name="review"),
    path("competition-notice/", views.acknowledge_notice, name="acknowledge"),
    path("sensitive-terms/", views.sensitive_terms, name="terms"),
    path("sensitive-terms/<int:pk>/delete/", views.sensitive_term_delete, name="term_delete"),
    path("consultations/<int:pk>/", views.consultation_thread, name="consultation"),
    path("consultations/<int:pk>/clauses/<str:key>/", views.consultation_thread, name="clause"),
    path("ballots/<int:pk>/", views.ballot_thread, name="ballot"),
    path("groups/<slug:slug>/", views.group_thread, name="group"),
]
