# Django's English formats, with the time zone named after every time (`T`: "CAT").
# The live discussion formats new messages with the same patterns (static/js/local-time.js).
DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
