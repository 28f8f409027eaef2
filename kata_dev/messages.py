"""`kata dev messages STEP`: the first message a learner reads for every mutant and corpus case of a
step, in Spanish and in English, on one page — to review the wording of a whole step at once."""

from kata_dev import proof

KINDS = ("mutants", "corpus")


def first_messages(step_id: str, lang: str) -> dict:
    """{variant name: the first failure's message (or "— passes —")} for a step, in `lang`."""
    found = {}
    for kind in KINDS:
        run = proof.drive("variants", kind, "--stop-first", f"--only={step_id}", lang=lang)
        for variant in proof.variants(kind):
            if variant.step_id != step_id:
                continue
            result = run.results.get(variant.name)
            if result is None:
                found[(kind, variant.name)] = f"(no result: {run.stderr[-300:]})"
                continue
            failed = [t for t in result["tests"] if t["status"] != "passed"] or [
                {"message": e} for e in result["collect_errors"]]
            found[(kind, variant.name)] = failed[0]["message"] if failed else "— passes —"
    return found


def page(step_id: str) -> str:
    """The Markdown page: per variant its idea, then the message in Spanish and in English."""
    spanish, english = first_messages(step_id, "es"), first_messages(step_id, "en")
    ideas = {(kind, v.name): v.idea for kind in KINDS for v in proof.variants(kind) if v.step_id == step_id}
    lines = [f"# {step_id}: the first message of each mutant and corpus case", ""]
    for key in sorted(spanish):
        kind, name = key
        lines += [f"## {kind} · {name}", f"*{ideas.get(key, '')}*", "", "es:", "```text", spanish[key].strip(), "```",
                  "en:", "```text", english.get(key, "").strip(), "```", ""]
    return "\n".join(lines)
