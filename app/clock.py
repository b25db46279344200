"""The UK's clock: deadlines, "today" and the times people read are all in Europe/London."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

UK_TIME = ZoneInfo("Europe/London")


def uk_today() -> date:
    """Today in the UK: the day a teacher means by "today", and where every statutory deadline falls."""
    return datetime.now(UK_TIME).date()
