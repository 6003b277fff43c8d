"""Schedules: their expressions (``expressions``), the schedule rows and their commands
(``schedules``), and the scheduler that fires them (``firing``).

The defaults every new schedule starts with live here, importing nothing, so that the
command line can show them in its help without loading the database layer.
"""

DEFAULT_EXPRESSION = "cron(15 19 * * ? *)"  # 19:15 every evening, local time
DEFAULT_NAME = "nightly"
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_MAX_AGE_S = 6 * 3600  # how late a missed firing may still be caught up
