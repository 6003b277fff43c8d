"""Pipes: from the stories table's change stream to the event bus."""
