"""Step 1 · data: one-hot labels and the four arrays the network learns from.

`one_hot` turns (N,) class numbers into (N, num_classes) float32 rows. `load_data` is checked on
tiny Fashion-MNIST files written by these tests (no download, no real data set needed): images
come back as (N, 784) float32 in [0, 1], labels as one-hot rows.
"""

import gzip
import hashlib
import struct

import numpy as np
import pytest

from kata.feedback import expect_close, expect_shape, fail, to_numpy
from kata.worker import InputFolder, patched

N_TRAIN, N_TEST, N_VALIDATION = 12, 6, 4


def run_one_hot(load_step, labels, *num_classes):
    return to_numpy(load_step("data").one_hot(labels, *num_classes))


def check_one_hot(got, labels, num_classes=10):
    """Fail unless `got` is the float32 one-hot matrix of `labels`."""
    labels = np.asarray(labels).reshape(-1)
    expect_shape(got, (len(labels), num_classes), f"one_hot de {len(labels)} etiquetas con num_classes={num_classes}",
                 f"one_hot of {len(labels)} labels with num_classes={num_classes}",
                 cause_es="una fila por etiqueta y una columna por clase: np.eye(num_classes)[labels].",
                 cause_en="one row per label and one column per class: np.eye(num_classes)[labels].")
    if got.dtype != np.float32:
        fail(f"one_hot devolvió dtype {got.dtype}; la kata trabaja en float32 (como las imágenes y los pesos).",
             f"one_hot returned dtype {got.dtype}; the kata works in float32 (as the images and the weights do).",
             cause_es=("np.eye y keras.utils.to_categorical dan float64 si no se les dice otra cosa: "
                       "np.eye(num_classes, dtype=np.float32), o .astype(np.float32) al final."
                       if got.dtype == np.float64 else "crea la matriz con dtype=np.float32."),
             cause_en=("np.eye and keras.utils.to_categorical give float64 unless told otherwise: "
                       "np.eye(num_classes, dtype=np.float32), or .astype(np.float32) at the end."
                       if got.dtype == np.float64 else "make the matrix with dtype=np.float32."))
    for row, (line, label) in enumerate(zip(got, labels)):
        ones = np.flatnonzero(line)
        if list(ones) != [label] or line[label] != 1:
            fail(f"la fila {row} de one_hot es {line.tolist()} para la etiqueta {label}; debía tener un único 1 en la posición {label}.",
                 f"row {row} of one_hot is {line.tolist()} for label {label}; it should hold a single 1 at position {label}.",
                 cause_es="las posiciones empiezan en 0: la etiqueta 0 pone el 1 en la primera columna.",
                 cause_en="positions start at 0: label 0 puts its 1 in the first column.")


def test_one_hot_of_three_labels_by_hand(load_step):
    got = run_one_hot(load_step, np.array([0, 2, 9]))
    expected = np.zeros((3, 10), np.float32)
    expected[0, 0] = expected[1, 2] = expected[2, 9] = 1
    expect_shape(got, (3, 10), "one_hot([0, 2, 9])", "one_hot([0, 2, 9])")
    expect_close(got, expected, "one_hot([0, 2, 9])", "one_hot([0, 2, 9])",
                 cause_es="la etiqueta 0 pone el 1 en la columna 0, la 2 en la columna 2 y la 9 en la última.",
                 cause_en="label 0 puts the 1 in column 0, label 2 in column 2 and label 9 in the last one.")
    check_one_hot(got, [0, 2, 9])


@pytest.mark.parametrize("kind", ["uint8 array", "int64 array", "python list"])
def test_one_hot_puts_a_single_one_at_each_random_label(load_step, kind):
    labels = np.random.default_rng(7).integers(0, 10, size=50)
    given = {"uint8 array": labels.astype(np.uint8), "int64 array": labels, "python list": labels.tolist()}[kind]
    check_one_hot(run_one_hot(load_step, given), labels)


@pytest.mark.parametrize("num_classes", [3, 5, 12])
def test_one_hot_honours_num_classes(load_step, num_classes):
    labels = np.arange(num_classes)[::-1]
    check_one_hot(run_one_hot(load_step, labels, num_classes), labels, num_classes)


def test_one_hot_has_num_classes_columns_even_when_the_last_classes_are_missing(load_step):
    labels = np.array([0, 2, 1])          # no label 3 or 4 in this batch
    got = run_one_hot(load_step, labels, 5)
    columns = np.shape(got)[1] if np.ndim(got) == 2 else None
    if columns == 3:
        fail("one_hot([0, 2, 1], 5) tiene 3 columnas; con num_classes=5 debe tener 5 aunque no haya etiquetas 3 ni 4.",
             "one_hot([0, 2, 1], 5) has 3 columns; with num_classes=5 it must have 5 even with no label 3 or 4.",
             cause_es="3 columnas = la mayor etiqueta + 1: se ignora num_classes (to_categorical sin num_classes lo hace).",
             cause_en="3 columns = the largest label + 1: num_classes is ignored (to_categorical without num_classes does that).")
    check_one_hot(got, labels, 5)


# --- load_data on tiny IDX files -----------------------------------------------------------------

def idx_bytes(array, magic):
    """IDX file bytes: big-endian magic, one big-endian size per dimension, then uint8 values."""
    array = np.asarray(array, np.uint8)
    return struct.pack(f">{1 + array.ndim}I", magic, *array.shape) + array.tobytes()


@pytest.fixture
def tiny_fashion(tmp_path):
    """Four tiny gzip IDX files in tmp_path/fashion; only they can be read.

    → dict of the raw arrays, the folder, and what the learner's code must run with (`patches`:
    the loader accepts these files' checksums and finds no other data set first).
    """
    rng = np.random.default_rng(3)
    raw = {
        "train_images": rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8),
        "train_labels": (np.arange(N_TRAIN) * 7 + 3) % 10,
        "test_images": rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8),
        "test_labels": (np.arange(N_TEST) * 3 + 1) % 10,
    }
    raw["train_images"][:, 0, 0], raw["test_images"][:, 0, 0] = 255, 0  # both ends of the pixel range
    files = {
        "train-images-idx3-ubyte": idx_bytes(raw["train_images"], 2051),
        "train-labels-idx1-ubyte": idx_bytes(raw["train_labels"], 2049),
        "t10k-images-idx3-ubyte": idx_bytes(raw["test_images"], 2051),
        "t10k-labels-idx1-ubyte": idx_bytes(raw["test_labels"], 2049),
    }
    folder = tmp_path / "fashion"
    folder.mkdir()
    for name, data in files.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
    # The loader checks the real files' sha256; these tiny ones get their own digests.
    digests = {name: (hashlib.sha256(data).hexdigest(), len(data)) for name, data in files.items()}
    nowhere = "/nonexistent/kata-no-dataset-here"
    patches = patched({"input_data.SHA256": digests, "input_data.DEBIAN_DIR": nowhere},
                      {"FASHION_MNIST_DIR": nowhere})
    return {"folder": folder, "patches": patches, **raw}


def run_load_data(load_step, tiny):
    load_data = load_step("data").load_data
    with tiny["patches"]:
        result = load_data(InputFolder(tiny["folder"]), validation_size=N_VALIDATION)
    if not isinstance(result, (tuple, list)) or len(result) != 4:
        fail(f"load_data devolvió {type(result).__name__}; se esperaba una tupla de 4 arrays.",
             f"load_data returned {type(result).__name__}; expected a tuple of 4 arrays.",
             cause_es="return train_X, train_y, test_X, test_y",
             cause_en="return train_X, train_y, test_X, test_y")
    return [to_numpy(part) for part in result]


def shape_cause(got, what, labels=None):
    """(Spanish, English) likely cause of a wrong shape of the load_data output `what`, from what it
    looks like; ("", "") when it looks like no known mistake."""
    rows = len(got) if np.ndim(got) else 0
    if what.endswith("_y") and np.ndim(got) == 1:
        return ("las etiquetas vuelven one-hot: one_hot(sets.train.labels), no los números de clase.",
                "labels come back one-hot: one_hot(sets.train.labels), not the class numbers.")
    if what.endswith("_y") and np.ndim(got) == 2 and labels is not None and np.shape(got)[1] == int(np.max(labels)) + 1 < 10:
        return (f"{np.shape(got)[1]} columnas = la mayor etiqueta + 1: one_hot ignora num_classes (10).",
                f"{np.shape(got)[1]} columns = the largest label + 1: one_hot ignores num_classes (10).")
    if what.startswith("train") and rows == N_TRAIN:
        return (f"las {N_VALIDATION} primeras imágenes de entrenamiento son de validación: pasa validation_size "
                f"a input_data.read_data_sets y devuelve sets.train.",
                f"the first {N_VALIDATION} training images are for validation: pass validation_size on to "
                f"input_data.read_data_sets and return sets.train.")
    n_train = N_TRAIN - N_VALIDATION
    expected = {"train_X": (n_train, 784), "train_y": (n_train, 10), "test_X": (N_TEST, 784), "test_y": (N_TEST, 10)}
    other = next((name for name, shape in expected.items() if name != what and tuple(np.shape(got)) == shape), None)
    if other:
        return (f"{what} tiene la forma de {other}: devuelve (train_X, train_y, test_X, test_y) en ese orden.",
                f"{what} has the shape of {other}: return (train_X, train_y, test_X, test_y) in that order.")
    if what.endswith("_X") and rows == N_VALIDATION:
        return ("son las imágenes de validación: devuelve sets.train, no sets.validation.",
                "these are the validation images: return sets.train, not sets.validation.")
    return "", ""


def test_load_data_returns_train_and_test_images_and_labels_with_their_shapes(load_step, tiny_fashion):
    train_X, train_y, test_X, test_y = run_load_data(load_step, tiny_fashion)
    n_train = N_TRAIN - N_VALIDATION
    labels = {"train_y": tiny_fashion["train_labels"][N_VALIDATION:], "test_y": tiny_fashion["test_labels"]}
    for got, shape, what in ((train_X, (n_train, 784), "train_X"), (train_y, (n_train, 10), "train_y"),
                             (test_X, (N_TEST, 784), "test_X"), (test_y, (N_TEST, 10), "test_y")):
        cause_es, cause_en = shape_cause(got, what, labels.get(what))
        expect_shape(got, shape,
                     f"{what} (los ficheros de prueba tienen {N_TRAIN} imágenes de entrenamiento, {N_VALIDATION} "
                     f"de ellas para validación, y {N_TEST} de test)",
                     f"{what} (the test files hold {N_TRAIN} training images, {N_VALIDATION} of them for "
                     f"validation, and {N_TEST} test images)", cause_es=cause_es, cause_en=cause_en)


def test_load_data_images_are_float32_pixels_scaled_to_0_1(load_step, tiny_fashion):
    train_X, _, test_X, _ = run_load_data(load_step, tiny_fashion)
    for got, raw, what in ((train_X, tiny_fashion["train_images"][N_VALIDATION:], "train_X"),
                           (test_X, tiny_fashion["test_images"], "test_X")):
        expect_shape(got, (len(raw), 784), what, what)
        if got.dtype != np.float32:
            fail(f"{what} tiene dtype {got.dtype}; se esperaba float32.", f"{what} has dtype {got.dtype}; expected float32.",
                 cause_es="devuelve sets.train.images / sets.test.images tal como los da input_data.",
                 cause_en="return sets.train.images / sets.test.images as input_data gives them.")
        expect_close(got, raw.reshape(len(raw), 784) / 255.0, what, what, atol=1e-6, rtol=1e-6,
                     cause_es="cada píxel es su byte dividido entre 255 (0 → 0.0, 255 → 1.0).",
                     cause_en="each pixel is its byte divided by 255 (0 → 0.0, 255 → 1.0).")


def test_load_data_labels_are_one_hot_rows_of_the_files_labels(load_step, tiny_fashion):
    _, train_y, _, test_y = run_load_data(load_step, tiny_fashion)
    for got, labels, what in ((train_y, tiny_fashion["train_labels"][N_VALIDATION:], "train_y"),
                              (test_y, tiny_fashion["test_labels"], "test_y")):
        expect_shape(got, (len(labels), 10), what, what,
                     cause_es="las etiquetas vuelven one-hot: one_hot(sets.train.labels).",
                     cause_en="labels come back one-hot: one_hot(sets.train.labels).")
        check_one_hot(got, labels)


def test_load_data_holds_out_the_first_validation_size_training_images(load_step, tiny_fashion):
    train_X, _, _, _ = run_load_data(load_step, tiny_fashion)
    held_out = tiny_fashion["train_images"][:N_VALIDATION].reshape(N_VALIDATION, 784) / 255.0
    kept = tiny_fashion["train_images"][N_VALIDATION:].reshape(-1, 784) / 255.0
    if len(train_X) != len(kept) or not np.allclose(train_X, kept, atol=1e-6):
        leaked = sum(any(np.allclose(row, image, atol=1e-6) for row in train_X) for image in held_out)
        fail(f"train_X debía ser las {len(kept)} imágenes de entrenamiento que siguen a las {N_VALIDATION} de validación; "
             f"llegaron {len(train_X)} filas, {leaked} de ellas de validación.",
             f"train_X should be the {len(kept)} training images after the {N_VALIDATION} validation ones; "
             f"got {len(train_X)} rows, {leaked} of them from validation.",
             cause_es="pasa validation_size a input_data.read_data_sets y devuelve sets.train (no sets.validation).",
             cause_en="pass validation_size on to input_data.read_data_sets and return sets.train (not sets.validation).")
