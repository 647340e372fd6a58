"""What each query and path parameter of the API accepts, and the error answers.

Every parameter is typed and bounded here, so a bad value (year 0, a huge offset, a
NUL byte, a word where a choice is expected) gets a 422 that names the parameter,
before any query reaches the database. The OpenAPI schema lists the same bounds,
and declares the 404 and 422 answers.
"""

from typing import Annotated, Any, Literal

from ninja import Field, Path, Schema
from pydantic import StringConstraints

from governance.tally import OUTCOMES

# Years the register can hold: `__year` lookups fail outside what a datetime can.
FIRST_YEAR, LAST_YEAR = 1900, 2999
# Ids are PostgreSQL bigints; no list is near a million rows.
MAX_ID = 2**63 - 1
MAX_OFFSET = 1_000_000

Year = Annotated[int, Field(ge=FIRST_YEAR, le=LAST_YEAR, description="A calendar year.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Slug = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$"),
    Field(description="A slug: letters, digits, hyphens and underscores."),
]
# Free text such as a clause number ("4.2") or key: printable, short.
Text = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$"),
]
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2}$"),
    Field(description="An ISO 3166 two-letter country code."),
]
Outcome = Literal[OUTCOMES]  # type: ignore[valid-type]


def id_path(name: str):
    return Annotated[int, Path(ge=1, le=MAX_ID, description=f"The {name}'s id.")]


def slug_path(name: str):
    return Annotated[
        str,
        StringConstraints(min_length=1, max_length=100, pattern=r"^[-a-zA-Z0-9_]+$"),
        Path(description=f"The {name}'s slug."),
    ]


class NotFoundOut(Schema):
    detail: str = Field(examples=["Not Found"])


class InvalidOut(Schema):
    """A parameter was refused: `message` says which and why; `detail` has one entry
    per problem (`loc` names the parameter)."""

    message: str = Field(examples=["year: Input should be greater than or equal to 1900"])
    detail: list[dict[str, Any]]


def listing(schema, *, of_one: bool = False) -> dict:
    """A list; `of_one`: the list of one thing named in the path, which may not exist."""
    return {200: list[schema], **({404: NotFoundOut} if of_one else {}), 422: InvalidOut}


def one(schema) -> dict:
    return {200: schema, 404: NotFoundOut, 422: InvalidOut}


# Pydantic's own words, where they quote a regular expression at the reader.
_PLAIN_WORDS = {
    "string_pattern_mismatch": "has characters that are not allowed here",
}


def clean_errors(errors: list[dict]) -> list[dict]:
    """Ninja's error entries, JSON-safe (a `ctx` may hold an exception)."""
    return [
        {
            "type": error.get("type", ""),
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            **(
                {"ctx": {k: str(v) for k, v in error["ctx"].items()}}
                if isinstance(error.get("ctx"), dict)
                else {}
            ),
        }
        for error in errors
    ]


def invalid_message(errors: list[dict]) -> str:
    parts = []
    for error in errors:
        where = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        words = _PLAIN_WORDS.get(error.get("type"), error.get("msg", "invalid"))
        parts.append(f"{'.'.join(where) or 'request'}: {words}")
    return "; ".join(parts)
