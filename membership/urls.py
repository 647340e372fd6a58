from django.urls import path
from django.views.generic import RedirectView

from .views import joining, members

app_name = "membership"

urlpatterns = [
    path("join/", joining.join, name="join"),
    path("join/calculate/", joining.calculate, name="calculate"),
    path("join/thanks/", joining.thanks, name="thanks"),
    path("join/answer/<str:token>/", joining.answer, name="answer"),
    # The addresses people guess first.
    path("apply/", RedirectView.as_view(pattern_name="membership:join", permanent=False)),
    path("membership/", RedirectView.as_view(pattern_name="membership:join", permanent=False)),
    path("members/", members.directory, name="directory"),
    path("members/admissions/", members.admissions, name="admissions"),
    path("members/<slug:slug>/", members.profile, name="profile"),
    path("members/<slug:slug>/publish/", members.publish, name="publish"),
    path(
        "members/<slug:slug>/invoices/<str:number>.pdf",
        members.invoice_download,
        name="invoice",
    ),
    path("chain/", members.chain_map, name="chain_map"),
    path("contributions/", members.contributions, name="contributions"),
]
