"""Events: the outbox rows committed writes leave, the relay that publishes them, and the
bus that carries them to every API instance."""
