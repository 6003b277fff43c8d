"""Engines: the pluggable parts that write text (and later paint pictures and speak)."""
