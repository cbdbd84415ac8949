"""Vietnamese dates and numbers as people write them: 02/12/2026, 14:30 02/12/2026, 1.250.000, 1,5.

Django's own Vietnamese DATE_FORMAT spells "Ngày 02 tháng 12 năm 2026", which reads wrongly after the
word "ngày" that our sentences put before a date ("khảo sát ngày …"), and its short format uses
dashes; it also sets no digit grouping, so numbers came out as 1250000.
"""

DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
