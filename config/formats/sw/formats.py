# Django has no Swahili formats and would fall back to the English "Dec. 6, 2026,
# 2:30 p.m.". Swahili writing in East and Central Africa puts the day first and uses
# the 24-hour clock in written schedules: "6 Disemba 2026, 14:30 CAT".
DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i T"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
