"""WebSocket routes of consultations (live discussion)."""

websocket_urlpatterns: list = []
