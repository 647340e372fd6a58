"""WebSocket routes of governance (live ballot turnout)."""

websocket_urlpatterns: list = []
