"""Engines: the pluggable parts that write the story (text), paint its picture (image) and
narrate it (speech), each kind registered by name in a :class:`bedtales.registry.Registry`."""
