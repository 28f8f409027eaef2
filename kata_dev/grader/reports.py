"""The grader's outputs: results/<student>.json, feedback/<student>.md and grades.csv.

Every file is written whole through a temporary file and a rename. Column names follow nbgrader's
CSV export where they mean the same (assignment, student_id, score, max_score), with one column
per step (its id) in between.
"""

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

from kata.files import write_atomic
from kata.i18n import t

SCHEMA = 1
ASSIGNMENT = "cnn_kata"


def results_text(result: dict) -> str:
    return json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_valid(path: Path, student: str, expect: dict):
    """The result stored at `path` if it is complete and graded the same way; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("student_id") != student:
        return None
    if any(data.get(k) != v for k, v in expect.items()):
        return None
    if not isinstance(data.get("steps"), list) or not isinstance(data.get("score"), (int, float)):
        return None
    return data


def _num(value) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def csv_text(results: list, step_ids: list) -> str:
    """grades.csv: one row per student, sorted by student id."""
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow(["assignment", "student_id", *step_ids, "score", "max_score"])
    for r in sorted(results, key=lambda r: r["student_id"]):
        points = {s["id"]: s["points"] for s in r["steps"]}
        writer.writerow([r["assignment"], r["student_id"], *(_num(points.get(i, 0)) for i in step_ids),
                         _num(r["score"]), _num(r["max_score"])])
    return sink.getvalue()


_MARK = {"passed": "✓", "failed": "✗", "error": "✗", "timeout": "⏱", "skipped": "–"}


def feedback_text(result: dict, lang=None) -> str:
    """A readable report for the student: per step its points, tests, messages and faults."""
    lines = [f"# {result['assignment']} · {result['student_id']}", "",
             t(f"**Nota: {_num(result['score'])} / {_num(result['max_score'])}**",
               f"**Score: {_num(result['score'])} / {_num(result['max_score'])}**", lang), "",
             t("Cada paso suma sus puntos solo si pasan todos sus tests.",
               "Each step earns its points only when all of its tests pass.", lang), ""]
    if result.get("sandbox") == "none":
        lines.append(t("> Corregido sin aislamiento (--no-sandbox): tu código se ejecutó con los permisos del corrector.",
                       "> Graded without a sandbox (--no-sandbox): your code ran with the grader's permissions.", lang))
    for note in result.get("notes", []):
        lines.append(f"> {note}")
    if result.get("notes"):
        lines.append("")
    for step in result["steps"]:
        lines.append(f"## {step['id']} — {step['title']}: {_num(step['points'])} / {_num(step['max_points'])}")
        lines.append("")
        if step["status"] == "missing":
            lines.append(t(f"No se entregó `{step['module']}`: este paso no está hecho.",
                           f"`{step['module']}` was not submitted: this step is not done.", lang))
            lines.append("")
        for reason in step["faults"]:
            lines.append(t(f"**Fallo grave:** {reason}", f"**Fault:** {reason}", lang))
            lines.append("")
        tests = [x for x in result["tests"] if x["step"] == step["id"]]
        if tests:
            lines.append(t(f"{step['passed']} de {step['tests']} tests pasan.",
                           f"{step['passed']} of {step['tests']} tests pass.", lang))
            lines.append("")
        for test in tests:
            lines.append(f"- {_MARK.get(test['status'], '?')} `{test['name']}` ({test['status']})")
            if test["status"] != "passed" and test["message"] and test["message"] not in step["faults"]:
                lines.append("")
                lines.append("  ```text")
                lines.extend("  " + m for m in test["message"].splitlines()[:40])
                lines.append("  ```")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


class OutFolder:
    """The output folder. Remembers what it wrote, so changes made by anyone else are noticed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.written = {}   # relative path -> (text, sha256)
        for sub in ("results", "feedback"):
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        self.preexisting = {f"{sub}/{p.name}" for sub in ("results", "feedback") for p in (self.path / sub).iterdir()}

    def write(self, rel: str, text: str) -> None:
        write_atomic(self.path / rel, text)
        self.written[rel] = (text, hashlib.sha256(text.encode()).hexdigest())

    def adopt(self, rel: str) -> None:
        """Take a file already there (a resumed result) as if this run had written it."""
        text = (self.path / rel).read_text(encoding="utf-8")
        self.written[rel] = (text, hashlib.sha256(text.encode()).hexdigest())

    def tampered(self) -> list:
        """Files changed, removed or added behind the grader's back; each is restored or removed."""
        bad = []
        for rel, (text, digest) in self.written.items():
            path = self.path / rel
            try:
                ok = hashlib.sha256(path.read_bytes()).hexdigest() == digest and not path.is_symlink()
            except OSError:
                ok = False
            if not ok:
                bad.append(rel)
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                write_atomic(path, text)
        for sub in ("results", "feedback"):
            for path in (self.path / sub).iterdir():
                rel = f"{sub}/{path.name}"
                if rel not in self.written and rel not in self.preexisting and not path.name.startswith("."):
                    bad.append(rel)
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
        return sorted(bad)
