"""bedtales: a new rhyming bedtime story every night, offline by default."""

__version__ = "0.1.0"
