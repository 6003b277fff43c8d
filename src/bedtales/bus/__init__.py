"""The event bus: EventBridge-style events, rules with event patterns, and durable,
at-least-once fan-out delivery to targets through a pluggable backend (``sql`` or ``redis``)."""
