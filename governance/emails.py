"""Plain-text emails: rendered without HTML escaping.

A text email is not HTML: escaping turns a name like `Kabila & Fils <SARL>` into
`Kabila &amp; Fils &lt;SARL&gt;` in the reader's mail program. Text templates go
through the `plain_text` template engine (settings.TEMPLATES), whose autoescape is
off; it refuses anything but a `.txt` template, so no HTML page or HTML email can
be rendered unescaped by mistake. Nothing here sends HTML alternatives.
"""

from django.template import engines

ENGINE = "plain_text"


def render_plain_text(template_name: str, context: dict) -> str:
    if not template_name.endswith(".txt"):
        raise ValueError(f"{template_name}: only .txt templates render without escaping")
    return engines[ENGINE].get_template(template_name).render(context)


def render_subject(template_name: str, context: dict) -> str:
    """One line: a header can hold no line break."""
    return " ".join(render_plain_text(template_name, context).split())
