"""A Spanish learner's first hour, end to end: steps 1 to 6, each first written with the mistake
learners make most, then put right, checked with `kata check` as they would run it.

Each first message must name the mistake (not just "wrong values"), in Spanish only, without a
traceback or TensorFlow log line (its logging is left on, as a learner has it); the progress table
must survive each mistake and show it; each fix must pass and point to the next step. The copy has
no solutions/, as a student release: each step runs on the learner's own earlier steps.
"""

import re
import subprocess
import sys

from kata import manifest

from support.copies import ROOT, child_env, student_copy

PROCESS_TIMEOUT_S = 600   # only a guard against a hung child, never a measure
# Words that would mean an English sentence leaked into a Spanish learner's screen.
ENGLISH = re.compile(r"\b(the|expected|got|should|must|instead|missing|passed|tests? pass)\b")
# TensorFlow's C++ and absl log lines ("I0000 00:00:…", "…tensorflow/core/…", the oneDNN notice).
LIBRARY_LOG = re.compile(r"^[IWEF]\d{4} |tensorflow/core/|oneDNN|cuda|absl::", re.MULTILINE)

# (step, what the reference writes, the learner's mistake, phrases the first message must hold)
MISTAKES = [
    ("data", "np.eye(num_classes, dtype=np.float32)[labels]", "np.eye(num_classes)[labels]",
     ["float64", "float32", "dtype=np.float32"]),
    ("plot_image", "image = np.reshape(np.asarray(data), size)", "image = np.asarray(data)",
     ["(784,)", "np.reshape(data, size)"]),
    ("conv2d", 'padding="SAME"', 'padding="VALID"', ["padding='VALID'", "'SAME'"]),
    ("maxpool2d", "ksize=k, strides=k", "ksize=2, strides=2", ["k=3", "k = 2", "ksize y strides"]),
    ("fully_connected", "return tf.nn.relu(x)", "return x", ["falta la ReLU"]),
    # TensorFlow aborts the process on a 2-D input to conv2d: the check must survive it and say so.
    ("generate_network", "    previous = tf.reshape(x, [-1, 28, 28, 1])", "    previous = x",
     ["(3, 784)", "necesita 4", "tf.reshape"]),
    ("generate_network",
     "    previous = tf.reshape(previous, [-1, weights[last].shape[0]])\n"
     "    return tf.add(tf.matmul(previous, weights[last]), biases[last])",
     "    return fully_connected(previous, weights[last], biases[last])",
     ["la capa de salida tiene ReLU"]),
]


def solved(step_id: str) -> str:
    """The reference solution as a learner would have typed it (no solution markers)."""
    source = (ROOT / "solutions" / manifest.get(step_id, ROOT).filename).read_text(encoding="utf-8")
    return "".join(line for line in source.splitlines(keepends=True) if "### " not in line)


def kata_env() -> dict:
    env = child_env(KATA_LANG="es")
    env.pop("TF_CPP_MIN_LOG_LEVEL")          # as a learner runs it: TensorFlow's own logging left on
    return env


def kata(root, *args):
    return subprocess.run([sys.executable, "-m", "kata", *args], cwd=root, env=kata_env(),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S)


def spanish_only(text: str) -> None:
    leaked = ENGLISH.search(text)
    assert not leaked, f"English ({leaked.group()!r}) on a Spanish learner's screen:\n{text}"
    assert "Traceback" not in text, text
    library = LIBRARY_LOG.search(text)
    assert not library, f"TensorFlow's own log ({library.group()!r}) on a learner's screen:\n{text}"


def test_steps_one_to_six_each_first_mistake_is_named_in_spanish_and_each_fix_leads_on(tmp_path):
    classroom = student_copy(tmp_path / "kata")    # no solutions/: tests use the learner's earlier steps
    first = kata(classroom)
    assert first.returncode == 0, first.stderr
    assert "exercises/data.py" in first.stdout, first.stdout
    spanish_only(first.stdout + first.stderr)

    for step_id, reference, mistake, phrases in MISTAKES:    # in course order, on the learner's earlier steps
        step = manifest.get(step_id, ROOT)
        path = classroom / "exercises" / step.filename
        source = solved(step_id)
        assert reference in source, f"solutions/{step.filename} changed: update this journey's {step_id} mistake"

        path.write_text(source.replace(reference, mistake), encoding="utf-8")
        wrong = kata(classroom, "check", step_id)
        assert wrong.returncode == 1, wrong.stdout + wrong.stderr
        assert "Primer fallo" in wrong.stdout, wrong.stdout
        first_message = wrong.stdout.split("Primer fallo", 1)[1]
        for phrase in phrases:
            assert phrase in first_message, f"{step_id}: the first message does not say {phrase!r}:\n{wrong.stdout}"
        spanish_only(wrong.stdout + wrong.stderr)
        status = kata(classroom)          # the progress table survives the mistake and shows it
        assert status.returncode == 0 and re.search(rf"{step_id}\s+falla", status.stdout), status.stdout
        if step_id == "conv2d":           # plain pytest, as the README also offers
            plain = subprocess.run([sys.executable, "-m", "pytest", "-q", "-m", step_id], cwd=classroom,
                                   env=kata_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                                   timeout=PROCESS_TIMEOUT_S)
            assert plain.returncode == 1 and phrases[0] in plain.stdout, plain.stdout
            library = LIBRARY_LOG.search(plain.stdout + plain.stderr)
            assert not library, f"TensorFlow's own log ({library.group()!r}) in pytest's output"

        path.write_text(source, encoding="utf-8")
        right = kata(classroom, "check", step_id)
        assert right.returncode == 0, right.stdout + right.stderr
        following = manifest.steps(ROOT)[step.number]     # step numbers start at 1
        assert f"Siguiente: {following.id}" in right.stdout, right.stdout
        spanish_only(right.stdout + right.stderr)

    # The learner resets an earlier step to start it again: the later step that uses it now fails
    # because of it, and the check names that step's file first (not the file being checked).
    reset = kata(classroom, "reset", "maxpool2d", "--yes")
    assert reset.returncode == 0, reset.stdout + reset.stderr
    blocked = kata(classroom, "check", "generate_network")
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert blocked.stdout.splitlines()[0] == ("✗ generate_network: este paso usa maxpool2d (exercises/maxpool2d.py), "
                                              "que aún está sin empezar: complétalo antes."), blocked.stdout
    assert "completa exercises/generate_network.py" not in blocked.stdout
    spanish_only(blocked.stdout + blocked.stderr)
    table = kata(classroom)
    assert re.search(r"generate_network\s+falla \(\d+/\d+\) · arregla antes maxpool2d", table.stdout), table.stdout
