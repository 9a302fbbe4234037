"""Webhooks: partners subscribe to programme changes and receive signed deliveries."""
