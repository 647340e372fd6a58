"""WebSocket routes of governance (live ballot turnout)."""

from django.urls import path

from . import consumers

websocket_urlpatterns: list = [
    path("ws/ballots/<int:ballot_id>/", consumers.BallotTurnoutConsumer.as_asgi()),
]
