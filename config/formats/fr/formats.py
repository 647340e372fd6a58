# Django's French formats (24-hour clock), with the time zone named after every time.
DATETIME_FORMAT = "j F Y, H:i T"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
