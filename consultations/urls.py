from django.urls import path

from . import views
from .views import standards as standard_views

app_name = "consultations"

urlpatterns = [
    path("consultations/<int:pk>/", views.consultation_detail, name="detail"),
    path(
        "consultations/<int:pk>/clauses/<str:key>/", views.clause_comments, name="clause_comments"
    ),
    path(
        "consultations/<int:pk>/comments/<int:comment_pk>/edit/",
        views.comment_edit,
        name="comment_edit",
    ),
    path(
        "consultations/<int:pk>/comments/<int:comment_pk>/withdraw/",
        views.comment_withdraw,
        name="comment_withdraw",
    ),
    path("consultations/<int:pk>/resolution/", views.resolution, name="resolution"),
    path(
        "consultations/<int:pk>/resolution/comments/<int:comment_pk>/",
        views.dispose,
        name="dispose",
    ),
    path("consultations/<int:pk>/resolution/bulk/", views.dispose_bulk, name="dispose_bulk"),
    path("consultations/<int:pk>/resolution/publish/", views.report_publish, name="report_publish"),
    path("consultations/<int:pk>/resolution/extend/", views.extend, name="extend"),
    path("consultations/<int:pk>/report/", views.report, name="report"),
    path(
        "consultations/<int:pk>/matrix.xlsx",
        views.matrix_export,
        {"fmt": "xlsx"},
        name="matrix_xlsx",
    ),
    path(
        "consultations/<int:pk>/matrix.csv", views.matrix_export, {"fmt": "csv"}, name="matrix_csv"
    ),
    path("consultations/<int:pk>/import/", views.matrix_import, name="import"),
    path("standards/<slug:slug>/", views.standard_detail, name="standard"),
    path("standards/<slug:slug>/redline/", views.standard_redline, name="redline"),
    path(
        "standards/<slug:slug>/clauses/<str:key>/",
        standard_views.clause_history,
        name="clause_history",
    ),
    path(
        "standards/<slug:slug>/versions/<str:label>.pdf",
        standard_views.version_download,
        {"fmt": "pdf"},
        name="version_pdf",
    ),
    path(
        "standards/<slug:slug>/versions/<str:label>.md",
        standard_views.version_download,
        {"fmt": "md"},
        name="version_md",
    ),
    path("consultations/<int:pk>/balance/", standard_views.consultation_balance, name="balance"),
]
