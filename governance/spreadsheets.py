"""Text that leaves the site in CSV or XLSX cells.

People type names, comments and motions; a spreadsheet would run one that starts
like a formula ("=HYPERLINK(...)"). Every export passes text through
`neutralise_formula`; an import that reads our own files removes exactly one "'"
again (`restore_formula`), so export → import gives back the original.
"""

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Prefix "'" to text a spreadsheet would treat as a formula; other values pass.

    Text already starting with apostrophes before a trigger gets one more, so
    that import can always remove exactly one and get the original back.
    """
    if not isinstance(value, str):
        return value
    return "'" + value if value.lstrip("'")[:1] in FORMULA_TRIGGERS else value


def restore_formula(value: str) -> str:
    """Undo `neutralise_formula` (and a "'" typed by hand before a formula)."""
    if value.startswith("'") and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return value[1:]
    return value
