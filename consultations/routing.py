"""WebSocket routes of consultations (live discussion)."""

from django.urls import path

from .consumers import ThreadConsumer

websocket_urlpatterns: list = [
    path("ws/threads/<int:thread_id>/", ThreadConsumer.as_asgi()),
]
