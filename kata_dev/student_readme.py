"""The README of the student bundle (`kata dev release`), generated from the manifest.

Spanish first, English alongside. It says how to start, what each step asks (from
`kata/steps.toml`), how to check, train and work in Jupyter, and how to hand in. It holds no
instructor or maintainer matter (no `kata dev`, no reference solutions, no course folder) and
links only to files the bundle holds; `tests/project/test_student_readme.py` checks both.
"""

from pathlib import Path

from kata import manifest

FASHION_MNIST = "https://github.com/zalandoresearch/fashion-mnist"


def readme(root) -> str:
    """The bundle's README.md."""
    root = Path(root)
    steps = manifest.steps(root)
    parts = [_intro(), _start(), _steps(steps), _check(), _train(root), _jupyter(root), _hand_in(steps),
             _glossary(root)]
    return "\n".join(part.strip("\n") + "\n" for part in parts)


def _intro() -> str:
    return f"""
# cnn-kata

Construye una red convolucional para [Fashion-MNIST]({FASHION_MNIST}) dos veces: primero con las
operaciones de bajo nivel de TensorFlow 2 (`tf.nn.conv2d`, `tf.nn.max_pool2d`, `tf.matmul`,
`tf.GradientTape`) y después con Keras, paso a paso, guiado por tests que dicen qué falla y qué
probar. Al final entrenas tu red con los datos reales y miras sus curvas y su exactitud.

*Build a convolutional network for Fashion-MNIST twice — first with TensorFlow 2's low-level
operations, then with Keras — one small step at a time, guided by tests that say what is wrong and
what to try. Then train the network you wrote on the real data.*
"""


def _start() -> str:
    return """
## Empezar · Getting started

Con Python ≥ 3.10, en esta carpeta · *With Python ≥ 3.10, in this folder:*

```bash
pip install -e .        # una vez · once
kata                    # tu progreso y el siguiente paso · your progress and the next step
```

Los datos · *The data*: en Debian ≥ 12, `sudo apt-get install dataset-fashion-mnist` los deja donde
todo los encuentra sin red; si no, la primera vez se descargan (unos 30 MB) en `data/fashion` y se
comprueban. *On Debian ≥ 12 that package puts them where everything finds them offline; otherwise
the first run downloads them (about 30 MB) into `data/fashion` and checks them.*
"""


def _steps(steps) -> str:
    rows = "\n".join(
        f"| {s.number} | `{s.id}` | `exercises/{s.filename}` | {s.title('es')} · *{s.title('en')}* | {_points(s.points)} |"
        for s in steps)
    total = _points(sum(s.points for s in steps))
    return f"""
## Los pasos · The steps

Tu código va en `exercises/`, un fichero por paso: cada uno trae la firma, un docstring con lo que
hay que escribir y un `raise NotImplementedError(...)` donde va tu código. Hazlos en orden.
*Your code goes in `exercises/`, one file per step, each with the signature, a docstring saying
what to write and a `raise NotImplementedError(...)` where your code goes. Do them in order.*

| # | paso · step | fichero · file | qué escribes · what you write | puntos · points |
|---|---|---|---|---|
{rows}

Total: {total}. Un paso suma sus puntos solo si pasan todos sus tests. *A step earns its points only
when all of its tests pass.*
"""


def _points(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check() -> str:
    return """
## Comprobar · Checking

| orden · command | qué hace · what it does |
|---|---|
| `kata` | cada paso (hecho, falla, sin empezar), tus puntos y el siguiente paso · *every step, your points and the next step* |
| `kata check [PASO]` | pasa los tests de un paso (por defecto el siguiente) y explica el primer fallo · *runs one step's tests and explains the first failure* |
| `kata watch` | vuelve a comprobar cada vez que guardas · *checks again each time you save* |
| `kata hint PASO [N]` | la siguiente pista, de la idea al código · *the next hint, from the idea to the code* |
| `kata reset PASO` | vuelve al esqueleto y guarda tu versión como copia · *back to the stub, your version kept as a copy* |
| `pytest` | los mismos tests (`pytest -m conv2d` para un paso) · *the same tests* |

Estos son los tests públicos: tu profesor puede corregir con alguno más. Cada paso se prueba con tus
propios pasos anteriores. Los mensajes salen en español; `--lang en` o `KATA_LANG=en` los pasa a
inglés. *These are the public tests: your instructor may grade with more. Each step is tested with
your own earlier steps. `--lang en` or `KATA_LANG=en` switches to English.*
"""


def _train(root) -> str:
    tracks = manifest.tracks(root)
    lines = []
    for track in tracks:
        needed = ", ".join(f"`{s}`" for s in track.trains_with)
        command = "kata train" if track is tracks[0] else f"kata train --track {track.id}"
        lines.append(f"| `{command}` | {track.title('es')} · *{track.title('en')}* | {needed} |")
    table = "\n".join(lines)
    return f"""
## Entrenar tu red · Training your network

| orden · command | fase · phase | necesita · needs |
|---|---|---|
{table}

`kata train` entrena tu red con Fashion-MNIST como el curso (10 épocas, Adam 0,001, lotes de 128) y
guarda en `runs/` las métricas y las curvas dibujadas con tu `print_results`; `--epochs 1 --limit
2000` es una prueba de un minuto. `kata compare runs/A runs/B` compara dos ejecuciones. *It trains
your network as the course does and saves the metrics and curves under `runs/`; `kata compare`
puts runs side by side.*
"""


def _jupyter(root) -> str:
    notebooks = "\n".join(f"- [`notebooks/{t.notebook}.ipynb`](notebooks/{t.notebook}.ipynb): {t.title('es')} · "
                          f"*{t.title('en')}*" for t in manifest.tracks(root))
    return f"""
## Jupyter

`kata lab` abre JupyterLab en tu ordenador (la dirección con su token sale en la terminal). Editas
`exercises/*.py` en el editor; los cuadernos los importan y cada paso termina con una celda que lo
comprueba. *`kata lab` opens JupyterLab; you edit `exercises/*.py` and the notebooks import them,
each step ending with a check cell.*

{notebooks}

Con Docker · *With Docker*: copia `.env.example` como `.env`, pon en `JUPYTER_TOKEN=` una clave
larga (`python3 -c "import secrets; print(secrets.token_hex(24))"`) y ejecuta
`docker compose up -d --build`; abre `http://127.0.0.1:8888/lab?token=<tu clave>`. *Copy
`.env.example` to `.env`, set a long `JUPYTER_TOKEN`, run `docker compose up -d --build` and open
that address.*
"""


def _hand_in(steps) -> str:
    files = ", ".join(f"`{s.filename}`" for s in steps)
    return f"""
## Entregar · Handing in

Entrega tu carpeta `exercises/` comprimida en un `.zip` (o la carpeta entera de la kata: el
corrector busca tus ficheros de pasos dentro, a cualquier profundidad). Desde esta carpeta, en
cualquier sistema:

```bash
python -m zipfile -c entrega.zip exercises
```

y sube `entrega.zip` a la tarea del curso (Moodle, Canvas…). Solo cuentan los ficheros de los
pasos ({files}); no cambies sus nombres. Si tu curso usa **nbgrader**, entrega desde la pestaña
*Assignments* de Jupyter: *Fetch* para recibir la tarea, *Validate* para comprobarla y *Submit*
para entregarla.

*Hand in your `exercises/` folder as a `.zip` (or the whole kata folder: the grader finds your step
files inside it at any depth): `python -m zipfile -c entrega.zip exercises`, then upload
`entrega.zip` to the course's assignment. Only the step files count; keep their names. If your
course uses nbgrader, hand in from Jupyter's Assignments tab: Fetch, Validate, Submit.*

Recibirás un informe con tu nota, cada paso ✓/✗ y, de lo que falle, el primer mensaje. *You will
receive a report with your score, each step ✓/✗ and, for what fails, the first message.*
"""


def _glossary(root) -> str:
    """The table of kata/glossary.toml: the one Spanish word for each idea."""
    rows = "\n".join(f"| {term['es']} | *{term['en']}* | {term.get('note', '')} |" for term in manifest.glossary(root))
    return f"""
## Vocabulario · Words

Los mensajes, las pistas y las lecciones usan siempre la misma palabra para cada idea. *Messages,
hints and lessons always use the same word for each idea.*

| español | English | |
|---|---|---|
{rows}
"""
