"""WebSocket routes, all under /ws/. Apps add their consumers' routes here."""

websocket_urlpatterns: list = []
