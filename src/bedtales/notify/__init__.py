"""Telling families: the rules and the sending for subscribers a household adds itself."""
