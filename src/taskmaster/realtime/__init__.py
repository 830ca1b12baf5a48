"""Real-time updates (Path 8): Socket.IO clients in rooms the server chooses, fed by the bus."""
