"""Messages to people (Bahasa Indonesia first), the outbox, and the provider ports."""
