"""WebSocket routes, all under /ws/. Each app keeps its own list."""

from consultations.routing import websocket_urlpatterns as consultations_ws
from governance.routing import websocket_urlpatterns as governance_ws

websocket_urlpatterns = [*governance_ws, *consultations_ws]
