"""PDF fonts shared by every document the platform prints (standards, invoices).

DejaVu Sans (a Unicode TrueType font) when the system has it, so French and Swahili
text keeps every accent; without it, fpdf2's core Helvetica with the text folded to
Latin-1 (é stays é, œ becomes oe, typographic quotes become plain ones).
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

# Where distributions put DejaVu Sans (Debian/Ubuntu, Fedora, Arch, Alpine).
FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/ttf-dejavu"),
)
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
UNICODE_FAMILY, CORE_FAMILY = "DejaVu", "helvetica"


@lru_cache(maxsize=1)
def unicode_font_files() -> dict[str, Path] | None:
    """DejaVu Sans regular and bold, if the system has both; else None."""
    for directory in FONT_DIRS:
        files = {style: directory / name for style, name in FONT_FILES.items()}
        if all(path.is_file() for path in files.values()):
            return files
    return None


_LATIN1_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2022": "-",
        "\u0152": "OE",
        "\u0153": "oe",
        "\u2192": "->",
        "\u00a0": " ",
        "\u202f": " ",
    }
)


def latin1_safe(text: str) -> str:
    """Text the core PDF fonts can print: Latin-1 kept, typography folded, other
    letters without their marks (ŵ → w), anything else as "?"."""
    out = []
    for char in text.translate(_LATIN1_FOLD):
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(base if base and base.isascii() else "?")
    return "".join(out)
