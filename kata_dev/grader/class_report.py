"""The class as a whole, for the instructor (`report/` in the output folder).

* `report/index.md` and `report/index.html`: how many were graded, the score distribution, each
  step's pass rate and its most common first failure, what needs the instructor (students the
  exports leave blank and why, hand-ins not on the roster, adjustments, several copies of a step,
  results graded with other tests), then per student the score, the faults, the notes and what the
  submission carried or tried (tampering), and the pairs of unusually similar submissions. Scores
  and grades are the gradebook's (`gradebook.Entry`): the same as grades.csv and the exports.
* `report/scores.png` (the 0–10 grades as a histogram) and `report/steps.png` (pass rate per step).
* `report/similarity.html`: copydetect's own report of the flagged pairs, the copied code
  highlighted side by side.

Similarity is measured by copydetect (winnowed fingerprints of the token stream, so renamed
variables and re-laid-out code still match) on each student's *own* code: their step modules taken
together, less every line that is also a line of the stubs or of the reference solutions. The
docstrings every student received, and the canonical answer that honest students converge on, are
no evidence of copying. (The lines are removed here rather than given to copydetect as
boilerplate: its boilerplate filter misses repeated fingerprints.) A pair is flagged when at least
`SIMILARITY` of one's own code is found in the other's.
"""

import statistics
import tempfile
from collections import Counter
from pathlib import Path

from kata.files import atomic_path, write_atomic
from kata_dev.grader.reports import OUT_OF, first_failure, markdown_html, met_the_stub

SIMILARITY = 0.5            # share of one submission's own code found in another's
MIN_OWN_CHARACTERS = 120    # below this, a submission has too little code of its own to compare
REPORT_DIR = "report"
NOT_STARTED = "sin empezar · not started"


# --------------------------------------------------------------------------- similarity


def boilerplate(root, steps) -> set:
    """The lines every submission may share without copying: the stubs' and the reference answers'."""
    from kata.stubs import BEGIN, END, stub_text

    texts = [stub_text(step, root) for step in steps]
    for step in steps:
        path = Path(root) / "solutions" / step.filename
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8"))
    return {line.strip() for text in texts for line in text.splitlines()
            if line.strip() and line.strip() not in (BEGIN, END)}


def own_code(text: str, boilerplate: set) -> str:
    """`text` less its blank lines and the lines (stripped) that `boilerplate` holds."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if line.strip() and line.strip() not in boilerplate)


def similar_pairs(code: dict):
    """Pairs of students whose own code is unusually alike: ([{a, b, similarity}], copydetect's HTML
    or None). `code`: {student: their own code}."""
    if len(code) < 2:
        return [], None
    from copydetect import CopyDetector

    with tempfile.TemporaryDirectory(prefix="kata-similarity-") as tmp:
        tests = Path(tmp) / "submissions"
        tests.mkdir()
        for student, text in code.items():
            (tests / f"{student}.py").write_text(text, encoding="utf-8")
        detector = CopyDetector(test_dirs=[str(tests)], extensions=["py"], display_t=SIMILARITY, autoopen=False,
                                silent=True, force_language="python", out_file=str(Path(tmp) / "report.html"))
        detector.run()
        unique = {}
        for test_sim, ref_sim, test_file, ref_file, *_ in detector.get_copied_code_list():
            a, b = sorted((Path(test_file).stem, Path(ref_file).stem))
            unique[(a, b)] = {"a": a, "b": b, "similarity": round(float(max(test_sim, ref_sim)), 2)}
        html = detector.generate_html_report(output_mode="return") if unique else None
    return sorted(unique.values(), key=lambda p: (-p["similarity"], p["a"], p["b"])), html


def submission_code(sub, steps) -> str:
    """One student's step modules, in course order, as one text."""
    parts = []
    for step in steps:
        data = sub.modules.get(step.filename)
        if data is not None:
            parts.append(data.decode("utf-8", errors="replace"))
    return "\n".join(parts)


# --------------------------------------------------------------------------- figures


def _save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)


def score_chart(grades: list, path: Path) -> None:
    """A histogram of the 0–10 grades, one bar per point."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    ax.hist(grades, bins=[i for i in range(OUT_OF + 1)], color="#3a7bd5", edgecolor="white")
    ax.set_xticks(range(OUT_OF + 1))
    ax.set_xlabel("nota sobre 10 · grade out of 10")
    ax.set_ylabel("estudiantes · students")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _save(fig, path)


def step_chart(rates: list, path: Path) -> None:
    """Horizontal bars: the share of students who pass each step, in course order."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(rates) + 1))
    labels = [f"{r['number']}. {r['id']}" for r in rates]
    ax.barh(labels, [100 * r["rate"] for r in rates], color="#2e9e5b")
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% que lo pasa · % passing")
    _save(fig, path)


# --------------------------------------------------------------------------- numbers


def step_rates(results: list, steps) -> list:
    """Per step: how many pass, the rate, and the most common first failing test."""
    rates = []
    for step in steps:
        records = [s for r in results for s in r["steps"] if s["id"] == step.id]
        passed = sum(s["status"] == "passed" for s in records)
        firsts = Counter()
        for r in results:
            first = first_failure([x for x in r["tests"] if x["step"] == step.id])
            if first:   # an untouched stub says nothing about the step's tests
                firsts[NOT_STARTED if met_the_stub(first) else first["name"]] += 1
        common = firsts.most_common(1)
        rates.append({"id": step.id, "number": step.number, "title": step.title("es"), "passed": passed,
                      "graded": len(records), "rate": passed / len(records) if records else 0.0,
                      "common_failure": f"{common[0][0]} ({common[0][1]})" if common else ""})
    return rates


def summary(entries: list) -> dict:
    """The class in numbers: students, how many without a grade and why, mean and median of the grades."""
    grades = [e.grade_10 for e in entries if e.has_grade]
    return {"students": len(entries), "mean": round(statistics.fmean(grades), 2) if grades else 0.0,
            "median": round(statistics.median(grades), 2) if grades else 0.0,
            "full": sum(e.has_grade and e.score == e.max_score for e in entries),
            "zero": sum(e.has_grade and e.score == 0 for e in entries),
            "unreadable": sum(e.status == "unreadable" for e in entries),
            "not_handed_in": sum(e.status == "not handed in" for e in entries),
            "incomplete": sum(e.status == "incomplete" for e in entries),
            "graded": len(grades)}


# --------------------------------------------------------------------------- the page


def _shape(attempt: str) -> str:
    """An attempt with its numbers blanked: the same action in two workers reads the same."""
    import re

    return re.sub(r"\d+", "N", attempt)


def common_attempts(results: list) -> set:
    """Attempt shapes found in more than half of the submissions (of three or more): what the
    libraries themselves do (TensorFlow probing the machine), not what a student tried."""
    if len(results) < 3:
        return set()
    counts = Counter(shape for r in results for shape in {_shape(a) for a in r.get("attempts", {}).get("stopped", [])})
    return {shape for shape, n in counts.items() if n > len(results) / 2}


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def report_markdown(entries: list, rates: list, pairs: list, compared: int, results=None, warnings=()) -> str:
    """The class report as Markdown (the HTML page is made from it). `entries`: the gradebook;
    `results`: {student id: stored result} for the faults, notes and attempts."""
    results = results or {}
    s = summary(entries)
    lines = ["# cnn_kata · informe de la clase · class report", "",
             f"- Estudiantes · students: **{s['students']}** (sin leer · unreadable: {s['unreadable']}; "
             f"sin entregar · not handed in: {s['not_handed_in']}; incompletos · incomplete: {s['incomplete']})",
             f"- Con nota · with a grade: {s['graded']}; nota media · mean grade: **{s['mean']}** / {OUT_OF}; "
             f"mediana · median: {s['median']}",
             f"- Todo bien · full marks: {s['full']}; cero · zero: {s['zero']}", "",
             "![distribución de notas · score distribution](scores.png)", "",
             "## Pasos · Steps", "", "![tasa de aprobados por paso · pass rate per step](steps.png)", "",
             "| # | paso · step | pasan · pass | % | primer fallo más común · most common first failure |",
             "|---|---|---|---|---|"]
    for r in rates:
        lines.append(f"| {r['number']} | `{r['id']}` {_cell(r['title'])} | {r['passed']} / {r['graded']} | "
                     f"{100 * r['rate']:.0f} | {_cell(r['common_failure'])} |")
    lines += _to_settle(entries, results, warnings)
    lines += ["", "## Parecidos · Similar submissions", ""]
    if pairs:
        lines += [f"{len(pairs)} pareja(s) con al menos un {100 * SIMILARITY:.0f} % de código propio en común "
                  f"(copydetect; sin contar los esqueletos ni la solución de referencia) · pair(s) sharing at "
                  f"least {100 * SIMILARITY:.0f} % of their own code. Detalle · details: "
                  f"[similarity.html](similarity.html)", "", "| a | b | parecido · similarity |", "|---|---|---|"]
        lines += [f"| {p['a']} | {p['b']} | {100 * p['similarity']:.0f} % |" for p in pairs]
    else:
        lines.append(f"Ninguna pareja entre {compared} entregas comparadas · no pair among {compared} "
                     f"submissions compared.")
    handed = sum(e.status in ("graded", "unreadable") for e in entries)
    left_out = handed - s["unreadable"] - compared
    if left_out > 0:
        lines.append(f"{left_out} entrega(s) no se compararon: tienen menos de {MIN_OWN_CHARACTERS} caracteres de "
                     f"código propio (lo que no está en el esqueleto ni en la solución de referencia) · "
                     f"{left_out} submission(s) left out: under {MIN_OWN_CHARACTERS} characters of code of "
                     f"their own (not in the stubs or the reference solution).")
    common = common_attempts(list(results.values()))
    lines += ["", "## Estudiantes · Students", "",
              "| id | nombre · name | grupo · section | puntos · points | /10 | fallos graves · faults | notas · notes |",
              "|---|---|---|---|---|---|---|"]
    for e in sorted(entries, key=lambda e: e.student_id):
        r = results.get(e.student_id, {})
        faults = "; ".join(f"{f['kind']} in {f['step']}" for f in r.get("faults", []))
        notes = [*(["⚠ " + e.problem] if e.problem else []), *([e.status] if e.status != "graded" else []),
                 *(["late"] if e.late else []), *(["not on the roster"] if e.on_roster is False else []),
                 *[f"adjusted {a['target']} {a['change']}: {a['reason'][:80]}" for a in e.adjustments],
                 *e.notes, *r.get("notes", [])]
        attempts = r.get("attempts", {})
        if attempts.get("files"):
            notes.append("carried: " + ", ".join(attempts["files"][:5]))
        tried = [a for a in attempts.get("stopped", []) if _shape(a) not in common]
        if tried:
            notes.append("tried: " + "; ".join(a[:160] for a in tried[:3]))
        points = f"{e.score:g} / {e.max_score:g}" if e.has_grade else f"— / {e.max_score:g}"
        ten = f"{e.grade_10:g}" if e.has_grade else "—"
        lines.append(f"| {e.student_id} | {_cell(e.name)} | {_cell(e.section)} | {points} | {ten} | {_cell(faults)} "
                     f"| {_cell(' · '.join(notes))} |")
    if common:
        lines += ["", f"*Sin listar · not listed: {len(common)} intento(s) que hacen casi todas las entregas (las "
                  f"propias bibliotecas) · attempt(s) nearly every submission makes (the libraries' own), e.g. "
                  f"`{sorted(common)[0][:100]}`; todos están en results/ · all are in results/.*"]
    return "\n".join(lines) + "\n"


def _to_settle(entries: list, results: dict, warnings) -> list:
    """What the instructor should look at before signing the gradebook."""
    lines = []
    blank = [e for e in entries if not e.has_grade]
    if blank:
        lines += ["", "### Sin nota · No grade (blank in grades.csv and the exports, never 0)", ""]
        lines += [f"- {e.student_id} ({_cell(e.name)}): {e.status}"
                  f"{' — ' + _cell(e.problem or '; '.join(e.notes)) if e.problem or e.notes else ''}" for e in blank]
    adjusted = [e for e in entries if e.adjustments]
    if adjusted:
        lines += ["", "### Ajustes a mano · Adjusted by hand (adjustments.csv)", ""]
        for e in adjusted:
            for a in e.adjustments:
                before = "—" if a["before"] is None else f"{a['before']:g}"
                lines.append(f"- {e.student_id}: {a['target']} {a['change']} ({before} → {a['after']:g}) — "
                             f"{_cell(a['reason'])}")
    copies = [(e, c) for e in entries for c in results.get(e.student_id, {}).get("copies", [])]
    if copies:
        lines += ["", "### Varias copias de un paso · Several copies of a step (named in the feedback too)", ""]
        lines += [f"- {e.student_id}: {c['module']}: graded {_cell(c.get('graded') or 'another entry')}, not "
                  f"{_cell(', '.join(c.get('ignored', [])))}" for e, c in copies]
    stale = [e for e in entries if e.has_grade and e.notes]
    if stale or warnings:
        lines += ["", "### Avisos · Warnings", ""]
        lines += [f"- {_cell(w)}" for w in warnings]
        lines += [f"- {e.student_id}: {_cell('; '.join(e.notes))}" for e in stale]
    return ["", "## Para revisar · To settle before signing", *lines] if lines else []


def _remembered(folder: Path, code: dict, students: set) -> dict:
    """Each student's own code as compared: this run's, else the one an earlier run kept in
    report/own_code/ (a student graded earlier and not handed in again is still compared)."""
    keep = folder / "own_code"
    keep.mkdir(exist_ok=True)
    for student, text in code.items():
        write_atomic(keep / f"{student}.py", text)
    known = dict(code)
    for path in sorted(keep.glob("*.py")):
        if path.stem in students and path.stem not in known:
            known[path.stem] = path.read_text(encoding="utf-8")
    return known


def write(out_dir, entries: list, results: dict, steps, code: dict, shared: set, warnings=()) -> dict:
    """Write the whole report; returns its numbers (summary, rates, pairs) for the caller. `entries`:
    the gradebook; `results`: {student id: complete stored result}; `code`: this run's step modules."""
    folder = Path(out_dir) / REPORT_DIR
    folder.mkdir(parents=True, exist_ok=True)
    graded = [results[e.student_id] for e in entries if e.student_id in results and e.status == "graded"]
    rates = step_rates(graded, steps)
    own = {k: own_code(v, shared) for k, v in code.items()}
    own = _remembered(folder, own, {e.student_id for e in entries if e.status in ("graded", "unreadable")})
    own = {k: v for k, v in own.items() if len(v) >= MIN_OWN_CHARACTERS}
    pairs, html = similar_pairs(own)
    if html:
        write_atomic(folder / "similarity.html", html)
    else:
        (folder / "similarity.html").unlink(missing_ok=True)
    score_chart([e.grade_10 for e in entries if e.has_grade], folder / "scores.png")
    step_chart(rates, folder / "steps.png")
    text = report_markdown(entries, rates, pairs, len(own), results, warnings)
    write_atomic(folder / "index.md", text)
    write_atomic(folder / "index.html", markdown_html(text, "cnn_kata · class report", "es"))
    return {"summary": summary(entries), "rates": rates, "pairs": pairs}
