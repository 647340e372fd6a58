"""What a script needs to write a time exactly as the server does on this page.

`{% time_format_attrs %}` puts on an element: the page language's DATETIME_FORMAT
(config/formats/), the reader's zone, the zone's abbreviation for each of its UTC
offsets this year (so summer time is named right), and the month and a.m./p.m. words
of the page's language. static/js/discussion.js formats live messages with them, so a
message inserted live reads like the ones the server rendered.
"""

import datetime
import json
import zoneinfo
from functools import lru_cache

from django import template
from django.utils import dateformat, dates, timezone
from django.utils.formats import get_format
from django.utils.html import format_html

register = template.Library()


@lru_cache(maxsize=64)
def zone_names(zone_key: str, year: int) -> dict[str, str]:
    """{offset in minutes: abbreviation} over a year ({"120": "CAT"}; {"60": "CET",
    "120": "CEST"}): the `T` of the date format, for any instant of that year."""
    zone = zoneinfo.ZoneInfo(zone_key)
    names = {}
    for month in range(1, 13):
        for day in (1, 15):
            local = datetime.datetime(year, month, day, 12, tzinfo=datetime.UTC).astimezone(zone)
            names.setdefault(str(int(local.utcoffset().total_seconds() // 60)), local.tzname())
    return names


def words() -> dict:
    """The words of Django's date format in the active language, taken from Django's
    own formatter so that they are the very words the server prints."""
    noon, midnight = datetime.time(12, 0), datetime.time(0, 0)
    return {
        "F": [str(dates.MONTHS[n]) for n in range(1, 13)],
        "N": [str(dates.MONTHS_AP[n]) for n in range(1, 13)],
        "M": [str(dates.MONTHS_3[n]).title() for n in range(1, 13)],
        "a": [dateformat.time_format(midnight, "a"), dateformat.time_format(noon, "a")],
        "A": [dateformat.time_format(midnight, "A"), dateformat.time_format(noon, "A")],
        "midnight": dateformat.time_format(midnight, "P"),
        "noon": dateformat.time_format(noon, "P"),
    }


@register.simple_tag
def time_format_attrs():
    key = timezone.get_current_timezone_name()
    year = timezone.now().year
    return format_html(
        'data-time-format="{}" data-time-zone="{}" data-time-zone-names="{}" data-time-words="{}"',
        get_format("DATETIME_FORMAT"),
        key,
        json.dumps(zone_names(key, year)),
        json.dumps(words(), ensure_ascii=False),
    )
