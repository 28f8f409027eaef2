"""The grader's per-student outputs: results/<student>.json, feedback/<student>.md and .html, and
the class gradebook grades.csv.

Every file is written whole through a temporary file and a rename. The feedback is what a student
receives: the summary first (score, a 0–10 grade, each step ✓/✗ with its title), the instructor's
adjustments with their reasons, then only what failed, one message per step, in the class's
language; no tracebacks, no grader paths, no notes meant for the instructor (those live in
results/ and the class report). Its score and grade are the gradebook's (`gradebook.Entry`), so
the feedback, grades.csv and the exports say the same of every student. A partial run's feedback
(`--steps`) says it is partial and gives no grade.
"""

import csv
import hashlib
import io
import json
import re
import shutil
from pathlib import Path

from kata.files import write_atomic
from kata.i18n import language, number, t
from kata.stubs import STUB_TAG

SCHEMA = 1
ASSIGNMENT = "cnn_kata"
OUT_OF = 10                # the 0–10 grade of Spanish gradebooks, next to the raw points
MESSAGE_LINES = 10         # the most lines of one failure message the feedback shows
RESULT_DIRS = ("results", "feedback")


def results_text(result: dict) -> str:
    return json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_valid(path: Path, student: str, expect: dict):
    """The result stored at `path` if it is complete and graded the same way; else None."""
    data = load_any(path)
    if data is None or data.get("student_id") != student or data.get("integrity") == "failed":
        return None
    if any(data.get(k) != v for k, v in expect.items()):
        return None
    return data


def load_any(path: Path):
    """A stored result of this assignment and schema, whatever tests graded it; else None."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("assignment") != ASSIGNMENT:
        return None
    if not isinstance(data.get("steps"), list) or not isinstance(data.get("score"), (int, float)):
        return None
    if not isinstance(data.get("student_id"), str) or Path(path).stem != data["student_id"]:
        return None
    return data


def _num(value) -> str:
    return number(value, "en")


def grade_10(result: dict) -> float:
    """The score on a 0–10 scale, rounded to two decimals."""
    top = result["max_score"]
    return round(OUT_OF * result["score"] / top, 2) if top else 0.0


GRADEBOOK_COLUMNS = ("assignment", "student_id", "name", "lms", "late")
LATER_COLUMNS = ("status", "section", "graded_score", "adjustment", "graded_at", "modified_at")


def _maybe(value) -> str:
    return "" if value is None else _num(value)


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + _num(abs(value))


def csv_text(entries: list, step_ids: list) -> str:
    """grades.csv: one row per gradebook entry, sorted by id: who, the points of each step, the
    score, the maximum, the 0–10 grade, why a submission could not be read (if so); then the status
    (graded, unreadable, not handed in, incomplete), the roster's section, the tests' own score, what
    the adjustments changed, and when. A student without a grade has blank points, never 0."""
    sink = io.StringIO()
    writer = csv.writer(sink, lineterminator="\n")
    writer.writerow([*GRADEBOOK_COLUMNS, *step_ids, "score", "max_score", "grade_10", "problem", *LATER_COLUMNS])
    for e in sorted(entries, key=lambda e: e.student_id):
        change = ""
        if e.adjustments and e.score is not None:
            change = _signed(e.score - (e.graded_score or 0)) if e.graded_score is not None else f"= {_num(e.score)}"
        problem = e.problem or ("not handed in" if e.status == "not handed in" else "") or \
            ("; ".join(e.notes) if e.status != "graded" else "")
        writer.writerow([ASSIGNMENT, e.student_id, e.name, e.lms, "yes" if e.late else "no",
                         *(_maybe(e.steps.get(i)) for i in step_ids), _maybe(e.score), _num(e.max_score),
                         _maybe(e.grade_10), problem, e.status, e.section, _maybe(e.graded_score), change,
                         e.graded_at, e.modified_at])
    return sink.getvalue()


# --------------------------------------------------------------------------- feedback

_ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/'\"`()\[\]<>:,]+/)+([^\s/'\"`()\[\]<>:,]+)")
_TRACEBACK = re.compile(r"^(Traceback \(most recent call last\):|\s+File \".*\", line \d+)")


def learner_message(text: str, limit: int = MESSAGE_LINES) -> str:
    """A failure message fit to send: no traceback lines, no absolute paths (only the file's name),
    at most `limit` lines."""
    from kata.judging.verdict import trim

    lines = [line for line in trim(text or "", 10 * limit).splitlines() if not _TRACEBACK.match(line)]
    lines = [_ABSOLUTE_PATH.sub(r"\1", line) for line in lines]
    if len(lines) > limit:
        lines = [*lines[:limit], "…"]
    return "\n".join(lines).strip()


def first_failure(tests: list):
    """The first of a step's test results that did not pass, or None."""
    return next((x for x in tests if x["status"] != "passed"), None)


def met_the_stub(failure) -> bool:
    """Whether a failing test met the untouched stub (its message names it; later ones may be cut short)."""
    return failure is not None and STUB_TAG in (failure["message"] or "")


def feedback_text(result: dict, lang=None, entry=None, title=None) -> str:
    """The Markdown a student receives (see the module's docstring). `entry`: the student's gradebook
    entry (adjusted points, the roster's name); without one, the result's own points. `title`: the
    assignment's name (default: the kata's)."""
    lang = language(lang)
    name = (entry.name if entry is not None else None) or result.get("name") or result["student_id"]
    lines = [f"# {title or result['assignment']} · {name}", ""]
    lines += _score_lines(result, entry, lang)
    lines += _warnings(result, lang)
    lines += [t("| | paso | puntos |", "| | step | points |", lang), "|---|---|---|"]
    tests_of = {s["id"]: [x for x in result["tests"] if x["step"] == s["id"]] for s in result["steps"]}
    adjusted = {a["target"] for a in (entry.adjustments if entry is not None else [])}
    for step in result["steps"]:
        points = entry.steps.get(step["id"]) if entry is not None and step["id"] in entry.steps else step["points"]
        points = None if result.get("problem") and points is None else (step["points"] if points is None else points)
        mark = "✓" if points == step["max_points"] and step["status"] == "passed" else "✗" if points is not None else "—"
        star = t(" (ajustado)", " (adjusted)", lang) if step["id"] in adjusted else ""
        shown = "—" if points is None else number(points, lang)
        lines.append(f"| {mark} | {step.get('number', '')}{' · ' if step.get('number') else ''}{step['title']} "
                     f"(`{step['module']}`) | {shown} / {number(step['max_points'], lang)}{star} |")
    lines.append("")
    if entry is not None and entry.adjustments:
        lines += _adjustment_lines(entry, lang)
    lines += _copies_lines(result, lang)
    failing = [s for s in result["steps"] if s["status"] != "passed"]
    absent = [s for s in failing if s["status"] == "missing"]
    unstarted = [s for s in failing if s not in absent and met_the_stub(first_failure(tests_of[s["id"]]))]
    if absent and not result.get("problem"):
        files = ", ".join(f"`{s['module']}`" for s in absent)
        lines += [t(f"**No entregado:** {files}.", f"**Not handed in:** {files}.", lang), ""]
    if unstarted:
        files = ", ".join(f"`{s['module']}`" for s in unstarted)
        lines += [t(f"**Sin empezar** (el esqueleto tal cual): {files}.",
                    f"**Not started** (the stub as it was): {files}.", lang), ""]
    if (absent and not result.get("problem")) or unstarted:
        lines += [t("Cada paso se corrige con la referencia de los anteriores, así que cada uno cuenta por sí solo.",
                    "Each step is graded with the reference of the earlier ones, so each counts on its own.", lang), ""]
    detailed = [s for s in failing if s not in absent and s not in unstarted]
    if detailed:
        lines += [t("## Qué falla", "## What fails", lang), ""]
    for step in detailed:
        lines += _step_failure(step, tests_of[step["id"]], lang)
    if not failing:
        lines += [t("Todos los pasos pasan sus tests. ¡Enhorabuena!", "Every step passes its tests. Well done!", lang), ""]
    lines.append(t("*Cada paso suma sus puntos solo si pasan todos sus tests; `kata check PASO` repite los "
                   "públicos en tu ordenador.*",
                   "*A step earns its points only when all of its tests pass; `kata check STEP` runs the "
                   "public ones on your computer.*", lang))
    return "\n".join(lines).rstrip() + "\n"


def _score_lines(result: dict, entry, lang) -> list:
    """The grade line: the gradebook's score and 0–10 grade, none for a partial run or a hand-in
    without a grade, and what the tests gave when the instructor adjusted it."""
    if result.get("partial"):
        graded = ", ".join(s["id"] for s in result["steps"])
        return [t(f"**Corrección parcial: solo {graded}. No es tu nota**; la nota sale de la corrección de "
                  f"todos los pasos.",
                  f"**Partial grading: {graded} only. This is not your grade**; the grade comes from grading "
                  f"every step.", lang), ""]
    score = entry.score if entry is not None else result["score"]
    top = entry.max_score if entry is not None else result["max_score"]
    if score is None:
        return [t("**Sin nota todavía.**", "**No grade yet.**", lang), ""]
    ten = round(OUT_OF * score / top, 2) if top else 0.0
    lines = [t(f"**Nota: {number(score, lang)} / {number(top, lang)} puntos · {number(ten, lang)} sobre 10**",
               f"**Score: {number(score, lang)} / {number(top, lang)} points · {number(ten, lang)} out of 10**",
               lang), ""]
    if entry is not None and entry.adjustments and entry.graded_score is not None:
        lines += [t(f"Los tests dieron {number(entry.graded_score, lang)} puntos; tu profesor ajustó la nota (abajo).",
                    f"The tests gave {number(entry.graded_score, lang)} points; your instructor adjusted the grade "
                    f"(below).", lang), ""]
    return lines


def _adjustment_lines(entry, lang) -> list:
    """The instructor's hand changes, each with its reason."""
    lines = [t("## Ajustes de tu profesor", "## Your instructor's adjustments", lang), ""]
    for change in entry.adjustments:
        what = t("nota total", "total", lang) if change["target"] == "total" else f"`{change['target']}`"
        before = "—" if change["before"] is None else number(change["before"], lang)
        reason = _plain(change["reason"], 300)
        lines.append(f"- {what}: {before} → {number(change['after'], lang)} — {reason}")
    return [*lines, ""]


def _plain(text: str, limit: int) -> str:
    """Text written by someone else, safe inside the feedback's Markdown: one line, no markup, bounded."""
    text = " ".join(str(text).split())
    text = re.sub(r"[`*_<>\[\]|#\\]", "", text)
    return text[:limit] + ("…" if len(text) > limit else "")


def _copies_lines(result: dict, lang) -> list:
    """The step modules the hand-in carried more than once, and which copy was graded."""
    lines = []
    for copy in result.get("copies", []):
        graded = _plain(copy.get("graded") or "", 120)
        others = ", ".join(f"`{_plain(o, 120)}`" for o in copy.get("ignored", []))
        module = _plain(copy["module"], 60)
        if graded:
            lines.append(t(f"**Varias copias de `{module}`:** se corrigió `{graded}`, no {others} (se corrige la copia "
                           f"menos profunda). Entrega una sola copia de cada fichero.",
                           f"**Several copies of `{module}`:** `{graded}` was graded, not {others} (the shallowest "
                           f"copy is the one graded). Hand in one copy of each file.", lang))
        else:
            lines.append(t(f"**Varias copias de `{module}`** en tu entrega: no se corrigió {others}. Entrega una sola "
                           f"copia de cada fichero.",
                           f"**Several copies of `{module}`** in your hand-in: {others} was not graded. Hand in one "
                           f"copy of each file.", lang))
    return [*lines, ""] if lines else []


def _warnings(result: dict, lang) -> list:
    out = []
    if result.get("problem"):
        out.append(t("> **No se pudo leer tu entrega**, así que no se corrigió ningún paso. Vuelve a enviarla "
                     "(un `.zip` o una carpeta con tus ficheros de `exercises/`).",
                     "> **Your submission could not be read**, so no step was graded. Hand it in again "
                     "(a `.zip` or a folder with your `exercises/` files).", lang))
    if result.get("late"):
        out.append(t("> Entregado fuera de plazo.", "> Handed in late.", lang))
    if result.get("sandbox") == "none":
        out.append(t("> Corregido sin aislamiento (--no-sandbox): tu código se ejecutó con los permisos del corrector.",
                     "> Graded without a sandbox (--no-sandbox): your code ran with the grader's permissions.", lang))
    return [*out, ""] if out else []


def _step_failure(step: dict, tests: list, lang) -> list:
    """A failing step: its title, how many tests pass, and the first problem's message."""
    head = f"### {step.get('number', '')}{'. ' if step.get('number') else ''}{step['title']} (`{step['module']}`)"
    lines = [head, ""]
    if step["faults"]:
        lines += [t(f"**Se detuvo:** {learner_message(step['faults'][0])}",
                    f"**Stopped:** {learner_message(step['faults'][0])}", lang), ""]
    first = first_failure(tests)
    if tests:
        lines.append(t(f"Pasan {step['passed']} de {step['tests']} tests.",
                       f"{step['passed']} of {step['tests']} tests pass.", lang)
                     + (t(f" Primer fallo: `{first['name']}`", f" First failure: `{first['name']}`", lang) if first else ""))
        lines.append("")
    if first and first["message"] and first["message"] not in step["faults"]:
        lines += ["```text", *learner_message(first["message"]).splitlines(), "```", ""]
    return lines


_HTML_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .25rem .6rem; text-align: left; }}
pre {{ background: #f6f6f6; padding: .6rem; overflow-x: auto; }} blockquote {{ border-left: 4px solid #e0a000; margin: 0; padding-left: 1rem; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""


def markdown_html(markdown: str, title: str, lang=None) -> str:
    """A standalone HTML page of `markdown` (CommonMark with tables, through markdown-it-py)."""
    from html import escape

    from markdown_it import MarkdownIt

    body = MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)
    return _HTML_PAGE.format(lang=language(lang), title=escape(title), body=body)


def feedback_html(result: dict, lang=None, entry=None, title=None) -> str:
    name = (entry.name if entry is not None else None) or result.get("name") or result["student_id"]
    return markdown_html(feedback_text(result, lang, entry, title), f"{title or result['assignment']} · {name}", lang)


# --------------------------------------------------------------------------- the output folder


class OutputExists(Exception):
    """OUT already holds grades and neither --resume nor --force was given."""


def check_target(path: Path, resume: bool, force: bool) -> None:
    """Refuse to write over an earlier run's grades unless told how (--resume or --force)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputExists(f"{path} exists and is not a folder; choose another output folder")
    if resume or force or not path.is_dir():
        return
    graded = sorted(p.stem for p in (path / "results").glob("*.json")) if (path / "results").is_dir() else []
    if graded or (path / "grades.csv").exists():
        raise OutputExists(
            f"{path} already holds the grades of an earlier run ({len(graded)} student(s)); pass --resume to keep "
            f"them and grade only what is new or changed, --force to grade every submission again (the students "
            f"not in SUBMISSIONS keep their rows either way), or choose another output folder")


class OutFolder:
    """The output folder. Remembers what it wrote, so changes made by anyone else are noticed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.written = {}   # relative path -> (text, sha256)
        for sub in RESULT_DIRS:
            (self.path / sub).mkdir(parents=True, exist_ok=True)
        self.preexisting = {f"{sub}/{p.name}" for sub in RESULT_DIRS for p in (self.path / sub).iterdir()}

    def write(self, rel: str, text: str) -> None:
        write_atomic(self.path / rel, text)
        self.written[rel] = (text, hashlib.sha256(text.encode()).hexdigest())

    def write_bytes(self, rel: str, data: bytes) -> None:
        """A binary file (the feedback zip), written whole; not watched for tampering (it is written
        once, after grading)."""
        from kata.files import atomic_path

        with atomic_path(self.path / rel) as tmp:
            tmp.write_bytes(data)

    def remove(self, rel: str) -> None:
        """Remove a file this run would otherwise leave (and forget it)."""
        self.written.pop(rel, None)
        (self.path / rel).unlink(missing_ok=True)

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
        for sub in RESULT_DIRS:
            for path in (self.path / sub).iterdir():
                rel = f"{sub}/{path.name}"
                if rel not in self.written and rel not in self.preexisting and not path.name.startswith("."):
                    bad.append(rel)
                    if path.is_dir() and not path.is_symlink():
                        shutil.rmtree(path)
                    else:
                        path.unlink()
        return sorted(bad)
