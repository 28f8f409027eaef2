"""Every sentence a learner reads comes in Spanish and in English, and the Spanish uses one word per
idea: the ones in kata/glossary.toml, never the phrases it lists under `avoid`."""

import ast
import re
from pathlib import Path

import pytest

from kata import manifest
from kata.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
LEARNER_CODE = sorted([*ROOT.glob("kata/**/*.py"), *ROOT.glob("tests/steps/*.py"), *ROOT.glob("tests/hidden/*.py")])
# function → where its Spanish and English texts are: (positional index, keyword) of each
BILINGUAL = {"t": ((0, "es"), (1, "en")), "fail": ((0, "es"), (1, "en")),
             "expect_shape": ((2, "what_es"), (3, "what_en")), "expect_close": ((2, "what_es"), (3, "what_en"))}
SPANISH_ONLY = re.compile(r"[ñáéíóú¿¡]", re.IGNORECASE)
DOCSTRING_HALVES = "———"
SPANISH_WORDS = re.compile(r"\b(de|del|la|el|los|las|una?|que|con|sin|cada)\b")


def _text(node):
    """The words of a string or f-string literal ('{}' for each hole), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return None


def _bilingual_calls():
    """(place, Spanish texts, English texts) of every t(…) and fail(…) call in learner-facing code."""
    for path in LEARNER_CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in BILINGUAL:
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            (es_at, es_name), (en_at, en_name) = BILINGUAL[name]
            es = node.args[es_at] if len(node.args) > es_at else keywords.get(es_name)
            en = node.args[en_at] if len(node.args) > en_at else keywords.get(en_name)
            place = f"{path.relative_to(ROOT)}:{node.lineno}"
            yield (place, [es, keywords.get("cause_es")], [en, keywords.get("cause_en")])


def _spanish_texts():
    """(place, text) for all the Spanish a learner reads: messages, titles, hints, lessons, docstrings."""
    for place, es, _ in _bilingual_calls():
        for node in es:
            if _text(node):
                yield place, _text(node)
    for step in manifest.steps(ROOT):
        yield f"kata/steps.toml [{step.id}] title", step.title("es")
        for number, hint in enumerate(step.hints("es"), start=1):
            yield f"kata/steps.toml [{step.id}] hint {number}", hint
        yield f"kata/{step.lesson_path} (es)", manifest.lesson(step, ROOT).text("es")
        source = (ROOT / "solutions" / step.filename).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.FunctionDef)) and ast.get_docstring(node):
                yield f"solutions/{step.filename}:{getattr(node, 'name', 'module')}", \
                    ast.get_docstring(node).split(DOCSTRING_HALVES)[0]


def _avoided():
    return [(term, re.compile(pattern, re.IGNORECASE)) for term in manifest.glossary(ROOT) for pattern in term.get("avoid", [])]


def test_every_message_call_gives_a_spanish_and_an_english_text():
    missing = [place for place, es, en in _bilingual_calls() if es[0] is None or en[0] is None]
    assert missing == [], f"t()/fail() with only one language at {missing}"


def test_the_english_half_of_every_message_has_no_spanish_in_it():
    spanish = [(place, _text(node)) for place, _, en in _bilingual_calls() for node in en
               if _text(node) and SPANISH_ONLY.search(_text(node))]
    assert spanish == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_step_has_a_title_hints_and_a_lesson_in_each_language(lang):
    for step in manifest.steps(ROOT):
        assert step.title(lang) and step.hints(lang) and manifest.lesson(step, ROOT).text(lang), step.id


def test_every_solution_docstring_has_a_spanish_half_then_an_english_half():
    for step in manifest.steps(ROOT):
        source = (ROOT / "solutions" / step.filename).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef) and node.name in step.functions:
                doc = ast.get_docstring(node) or ""
                assert DOCSTRING_HALVES in doc, f"solutions/{step.filename}: {node.name} has no Spanish half"
                spanish, english = doc.split(DOCSTRING_HALVES, 1)
                assert (SPANISH_WORDS.search(spanish) or SPANISH_ONLY.search(spanish)) \
                    and english.strip() and not SPANISH_ONLY.search(english), \
                    f"solutions/{step.filename}: {node.name}'s docstring halves are not Spanish then English"


def test_the_glossary_lists_terms_with_a_spanish_word_each():
    terms = manifest.glossary(ROOT)
    assert {"step (of the kata)", "stride", "batch", "epoch", "bias", "flatten"} <= {t["en"] for t in terms}
    assert all(t["es"] for t in terms)


def test_spanish_text_uses_the_glossary_words():
    found = [f"{place}: «{match.group()}» — use «{term['es']}» ({term['en']})"
             for place, text in _spanish_texts()
             for term, pattern in _avoided()
             for match in [pattern.search(text)] if match]
    assert found == []


@pytest.mark.parametrize("sample, english", [
    ("con paso 2 la imagen mide la mitad", "step (of the kata)"),
    ("un paso de Adam aplica los gradientes", "step (of the kata)"),
    ("la precisión en test", "accuracy"),
    ("la velocidad de aprendizaje de Adam", "learning rate"),
])
def test_the_glossary_check_catches_the_phrases_it_lists(sample, english):
    assert any(term["en"] == english and pattern.search(sample) for term, pattern in _avoided())
