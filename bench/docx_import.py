"""How long, and how much memory, a .docx import takes before it answers (a script).

    .venv/bin/python bench/docx_import.py

Each case is parsed in a fresh child process (consultations.draft_import.parse_docx,
no database); the child reports the time to answer and its peak RSS. Cases: a real
draft of 400 clauses (the baseline), 20,000 headings, 40,001 paragraphs, and a file
of under 1 MB that unpacks to 94 MB. The last column is each case's time against
the baseline's, measured in the same run.
"""

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
django.setup()
from consultations.draft_import import DraftImportError, parse_docx
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    answer = f"{len(parse_docx(data))} clauses"
except DraftImportError as error:
    answer = error.message
print(json.dumps({"seconds": time.perf_counter() - started, "answer": answer,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def base_docx(paragraphs: str) -> bytes:
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    source, result = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "word/document.xml":
                body = re.sub(
                    rb"<w:body>.*?(<w:sectPr)",
                    lambda m: b"<w:body>" + paragraphs.encode() + m.group(1),
                    body,
                    flags=re.S,
                )
            target.writestr(info.filename, body)
    return result.getvalue()


def heading(n: int) -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Part {n}</w:t></w:r></w:p>'


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def cases() -> dict[str, bytes]:
    text = "Sites keep a register of every lot, its weight and its origin. " * 4
    real = "".join(heading(n) + paragraph(text) * 3 for n in range(400))
    bomb = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base_docx(paragraph("x")))) as source,
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("word/media/filler.bin", bytes(94 << 20))
    return {
        "400 clauses (baseline)": base_docx(real),
        "20,000 headings": base_docx("".join(heading(n) for n in range(20_000))),
        "40,001 paragraphs": base_docx(paragraph("x") * 40_001),
        "94 MB unpacked": bomb.getvalue(),
    }


def main() -> None:
    import tempfile

    sys.path.insert(0, str(ROOT))
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases().items():
            path = Path(folder) / "draft.docx"
            path.write_bytes(data)
            child = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=600,
                env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            rows.append((name, len(data), result))
    baseline = rows[0][2]["seconds"]
    for name, size, result in rows:
        print(
            f"{name:24} {size / 1024:8.0f} KiB  {result['seconds']:7.3f} s  "
            f"peak {result['peak_mib']:6.0f} MiB  x{result['seconds'] / baseline:5.2f}  "
            f"{result['answer']}"
        )


if __name__ == "__main__":
    main()
