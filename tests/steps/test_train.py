"""Step 7 · train: the cost, the accuracy, evaluation in batches and the training loop.

Expected values come from NumPy. The training tests use a tiny synthetic Fashion-MNIST look-alike
(each class is a bright horizontal band at its own height) and a small two-layer network
(layers [2, 2]) passed through `parameters=`, so that they learn in a second on a CPU; one test
runs the course network with its defaults.
"""

import numpy as np
import pytest
import tensorflow as tf

from kata.feedback import expect_close, expect_shape, fail, to_numpy
from kata.i18n import count as count_of
from kata.worker.describe import describe_value

HIDDEN = 32
DENSE_LAYERS = [2, 2]


# --- NumPy yardsticks ------------------------------------------------------------------------

def np_cross_entropy(logits, labels):
    """Per-row softmax cross-entropy, computed stably in float64. (N, C), (N, C) → (N,)."""
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(np.asarray(labels, np.float64) * log_softmax).sum(axis=1)


def np_hits(logits, labels):
    return np.argmax(logits, axis=1) == np.argmax(labels, axis=1)


def np_dense_logits(X, weights, biases):
    """Logits of the [2, 2] network: relu(X·W0 + b0)·W1 + b1."""
    w0, w1, b0, b1 = (np.asarray(to_numpy(v), np.float64) for v in (*weights, *biases))
    return np.maximum(np.asarray(X, np.float64) @ w0 + b0, 0) @ w1 + b1


def dense_parameters(seed, n_output=10):
    """Fresh [2, 2] parameters: (784, 32) and (32, n_output) weights, small random biases."""
    rng = np.random.default_rng(seed)
    weights = [tf.Variable(rng.normal(0, 0.05, (784, HIDDEN)).astype(np.float32)),
               tf.Variable(rng.normal(0, 0.2, (HIDDEN, n_output)).astype(np.float32))]
    biases = [tf.Variable(rng.normal(0, 0.05, HIDDEN).astype(np.float32)),
              tf.Variable(rng.normal(0, 0.05, n_output).astype(np.float32))]
    return weights, biases


def band_images(n, seed, noise=0.3):
    """n images whose class k is a bright band at rows 2k + 4 and 2k + 5, over uniform noise.

    Returns (X, y): (n, 784) float32 in [0, 1] and (n, 10) one-hot float32.
    """
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, 10, n)
    X = rng.uniform(0, noise, (n, 28, 28)).astype(np.float32)
    for image, k in zip(X, classes):
        image[2 * k + 4:2 * k + 6, :] = 1.0
    return X.reshape(n, 784), np.eye(10, dtype=np.float32)[classes]


def band_data(n_train=320, n_test=200):
    """(train_X, train_y, test_X, test_y); the test images are noisier, so their loss differs clearly."""
    return (*band_images(n_train, seed=10), *band_images(n_test, seed=11, noise=0.9))


@pytest.fixture(scope="module")
def tr(load_step):
    return load_step("train")


# --- cost -------------------------------------------------------------------------------------

def test_cost_of_two_rows_computed_by_hand(tr):
    # Row 1: softmax([0, 0]) = [½, ½], label class 0 → −ln ½ = 0.6931.
    # Row 2: logits [2, 0], label class 1 → −ln(e⁰ / (e² + e⁰)) = ln(1 + e²) = 2.1269. Mean 1.4100.
    logits = tf.constant([[0.0, 0.0], [2.0, 0.0]])
    labels = tf.constant([[1.0, 0.0], [0.0, 1.0]])
    value = to_numpy(tr.cost(logits, labels))
    expect_shape(value, (), "cost", "cost",
                 cause_es="cost devuelve un número: la media de la entropía cruzada del lote (tf.reduce_mean).",
                 cause_en="cost returns one number: the mean cross-entropy over the batch (tf.reduce_mean).")
    expect_cost(value, logits, labels, (np.log(2) + np.log1p(np.e ** 2)) / 2, "cost de dos filas", "cost of two rows")


SWAPPED_ES = ("logits y labels están cambiados: en TensorFlow 2 el primer argumento de "
              "tf.nn.softmax_cross_entropy_with_logits es labels; dalos por su nombre: "
              "tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits).")
SWAPPED_EN = ("logits and labels are swapped: in TensorFlow 2 the first argument of "
              "tf.nn.softmax_cross_entropy_with_logits is labels; pass them by name: "
              "tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits).")


def expect_cost(value, logits, labels, expected, what_es, what_en):
    """The cost must be `expected`; one that is the cross-entropy with the arguments swapped says so."""
    swapped = np_cross_entropy(labels, logits).mean()
    if np.size(value) == 1 and np.isclose(float(np.asarray(value)), swapped, rtol=1e-4, atol=1e-5) and \
            not np.isclose(swapped, expected, rtol=1e-4, atol=1e-5):
        expect_close(value, expected, what_es, what_en, cause_es=SWAPPED_ES, cause_en=SWAPPED_EN)
    expect_close(value, expected, what_es, what_en,
                 cause_es="usa tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits) y haz la media; "
                          "no sigmoid_cross_entropy (las clases se excluyen entre sí) ni la suma.",
                 cause_en="use tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits) and take the mean; "
                          "not sigmoid_cross_entropy (the classes exclude each other) nor the sum.")


def test_cost_matches_numpy_softmax_cross_entropy(tr):
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, (16, 10)).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 16)]
    expect_cost(to_numpy(tr.cost(logits, labels)), logits, labels, np_cross_entropy(logits, labels).mean(),
                "cost de 16 filas al azar", "cost of 16 random rows")


# --- accuracy ---------------------------------------------------------------------------------

def test_accuracy_of_four_rows_computed_by_hand(tr):
    # Predicted classes 1, 0, 2, 1; true classes 1, 0, 0, 2: two hits out of four.
    logits = tf.constant([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 5.0, 1.0]])
    labels = tf.constant(np.eye(3, dtype=np.float32)[[1, 0, 0, 2]])
    value = to_numpy(tr.accuracy(logits, labels))
    expect_shape(value, (), "accuracy", "accuracy")
    expect_close(value, 0.5, "accuracy de 4 filas con 2 aciertos", "accuracy of 4 rows with 2 hits",
                 cause_es="compara tf.argmax(logits, axis=1) con tf.argmax(labels, axis=1) (una clase por fila, no por columna), "
                          "pasa los aciertos a float32 y haz la media.",
                 cause_en="compare tf.argmax(logits, axis=1) with tf.argmax(labels, axis=1) (one class per row, not per column), "
                          "cast the hits to float32 and take the mean.")


def test_accuracy_matches_numpy_on_random_rows(tr):
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 1, (100, 10)).astype(np.float32)
    labels = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 100)]
    expect_close(to_numpy(tr.accuracy(logits, labels)), np_hits(logits, labels).mean(),
                 "accuracy de 100 filas al azar", "accuracy of 100 random rows")


# --- evaluate ---------------------------------------------------------------------------------

def evaluated(tr, X, y, weights, biases, batch_size):
    """tr.evaluate(...) on the [2, 2] network as two floats, checked to be a pair of numbers first."""
    result = tr.evaluate(X, y, weights, biases, DENSE_LAYERS, batch_size=batch_size)
    values = list(result) if isinstance(result, (tuple, list)) else []
    if len(values) != 2 or not all(np.size(v) == 1 for v in values):
        fail(f"evaluate debe devolver (pérdida, exactitud), dos números; devolvió {describe_value(result)}.",
             f"evaluate must return (loss, accuracy), two numbers; it returned {describe_value(result)}.",
             cause_es="return total_loss / len(X), total_hits / len(X)",
             cause_en="return total_loss / len(X), total_hits / len(X)")
    expect_floats(values, "evaluate", "evaluate")
    return float(np.asarray(values[0])), float(np.asarray(values[1]))


def expect_floats(values, what_es, what_en) -> None:
    """The docstrings promise Python floats: a tensor or a NumPy float32 where kata train prints and
    stores them (metrics.json) is not one."""
    wrong = next((v for v in values if not isinstance(v, float)), None)
    if wrong is not None or not values:
        fail(f"{what_es}: se esperaban float de Python y llegó {describe_value(wrong)}.",
             f"{what_en}: Python floats were expected; got {describe_value(wrong)}.",
             cause_es="convierte cada número con float(...): float(loss) pasa un tensor escalar a un float de Python, "
                      "que kata train puede escribir y guardar.",
             cause_en="convert each number with float(...): float(loss) turns a scalar tensor into a Python float, "
                      "which kata train can print and store.")

def hard_tail_set():
    """250 examples whose last 50 are labelled with the network's least likely class.

    The last, partial batch (250 = 2 × 100 + 50) then has a much higher loss than the others,
    so leaving it out or averaging batch means without their sizes shows up in the result.
    """
    weights, biases = dense_parameters(seed=3)
    X, y = band_images(250, seed=3)
    logits = np_dense_logits(X, weights, biases)
    y[200:] = np.eye(10, dtype=np.float32)[np.argmin(logits[200:], axis=1)]
    return X, y, weights, biases, logits


def test_evaluate_is_the_mean_over_every_example_including_a_last_partial_batch(tr):
    X, y, weights, biases, logits = hard_tail_set()
    losses, hits = np_cross_entropy(logits, y), np_hits(logits, y).astype(float)
    loss, acc = evaluated(tr, X, y, weights, biases, batch_size=100)
    expected = losses.mean(), hits.mean()
    if np.allclose((loss, acc), expected, rtol=1e-4, atol=1e-5):
        return
    wrong = {
        "first": ((losses[:100].mean(), hits[:100].mean()),
                  "solo cuenta el primer lote: recorre X entero con range(0, len(X), batch_size)",
                  "only the first batch counts: walk through all of X with range(0, len(X), batch_size)"),
        "full": ((losses[:200].mean(), hits[:200].mean()),
                 "se pierde el último lote incompleto (250 = 2 × 100 + 50): X[start:start + batch_size] ya lo da más corto",
                 "the last partial batch is lost (250 = 2 × 100 + 50): X[start:start + batch_size] already gives it shorter"),
        "unweighted": ((np.mean([losses[s:s + 100].mean() for s in (0, 100, 200)]),
                        np.mean([hits[s:s + 100].mean() for s in (0, 100, 200)])),
                       "la media de las medias de los lotes trata el lote de 50 como si tuviera 100: pondera cada lote por su tamaño",
                       "the mean of the batch means counts the batch of 50 as if it held 100: weight each batch by its size"),
    }
    cause_es = cause_en = ""
    for got_if_wrong, es, en in wrong.values():
        if np.allclose((loss, acc), got_if_wrong, rtol=1e-4, atol=1e-5):
            cause_es, cause_en = es, en
    fail(f"evaluate de 250 ejemplos en lotes de 100: se esperaba (pérdida, exactitud) = ({expected[0]:.4f}, {expected[1]:.4f}) "
         f"y llegó ({loss:.4f}, {acc:.4f}).",
         f"evaluate of 250 examples in batches of 100: expected (loss, accuracy) = ({expected[0]:.4f}, {expected[1]:.4f}), "
         f"got ({loss:.4f}, {acc:.4f}).",
         cause_es=cause_es or "suma pérdida × tamaño y aciertos de cada lote y divide entre len(X) al final.",
         cause_en=cause_en or "add up loss × size and the hits of each batch and divide by len(X) at the end.")


@pytest.mark.parametrize("batch_size", [50, 1000], ids=["exact-batches", "one-batch"])
def test_evaluate_does_not_depend_on_the_batch_size(tr, batch_size):
    X, y, weights, biases, logits = hard_tail_set()
    got = list(evaluated(tr, X, y, weights, biases, batch_size))
    expect_close(got, [np_cross_entropy(logits, y).mean(), np_hits(logits, y).mean()],
                 f"(pérdida, exactitud) de evaluate con batch_size={batch_size}",
                 f"(loss, accuracy) of evaluate with batch_size={batch_size}",
                 cause_es="evaluate usa generate_network sin dropout, cost y accuracy, lote a lote, con los `layers` que recibe.",
                 cause_en="evaluate uses generate_network without dropout, cost and accuracy, batch by batch, with the `layers` it is given.")


# --- train: one shared run of the small network ----------------------------------------------

EPOCHS, BATCH = 4, 64
_RUNS = {}


def small_run(tr):
    """Train the [2, 2] network on band_data for EPOCHS epochs, once per module under test.

    Returns a dict: history, batches [(epoch, batch, n_batches, loss, acc)], epochs [(epoch,
    metrics)], initial (NumPy copies), parameters (the trained Variables), data.
    """
    key = (id(tr), getattr(tr, "__file__", ""))
    if key not in _RUNS:
        data = band_data()
        parameters = dense_parameters(seed=0)
        initial = [to_numpy(v).copy() for v in (*parameters[0], *parameters[1])]
        batches, epochs = [], []
        try:
            history = tr.train(data, EPOCHS, 0.01, BATCH, seed=0, layers=DENSE_LAYERS, parameters=parameters,
                               on_batch=lambda *a: batches.append(a), on_epoch=lambda *a: epochs.append(a))
            _RUNS[key] = dict(history=history, batches=batches, epochs=epochs, initial=initial,
                              parameters=parameters, data=data)
        except Exception as err:  # every test of the run reports the same failure (the judge words it)
            _RUNS[key] = err
    if isinstance(_RUNS[key], Exception):
        raise _RUNS[key]
    return _RUNS[key]


NAMES = ["train_loss", "test_loss", "train_accuracy", "test_accuracy"]


def curves(run, epochs=EPOCHS):
    """The four curves as lists of floats, checked first: four of them, one value per epoch each."""
    history = run["history"] if isinstance(run, dict) else run
    if not isinstance(history, (list, tuple)) or len(history) != 4:
        fail(f"train debe devolver una lista de 4 curvas: [train_loss, test_loss, train_accuracy, test_accuracy]; "
             f"devolvió {describe_value(history)}.",
             f"train must return a list of 4 curves: [train_loss, test_loss, train_accuracy, test_accuracy]; "
             f"it returned {describe_value(history)}.")
    for name, curve in zip(NAMES, history):
        count = len(curve) if isinstance(curve, (list, tuple, np.ndarray)) else None
        if count != epochs:
            cause_es = cause_en = ""
            if count == epochs + 1:
                cause_es, cause_en = ("uno de más: se añadió un valor antes de la primera época o después de la última; "
                                      "añade cada valor solo al final de cada época.",
                                      "one too many: a value was appended before the first epoch or after the last; "
                                      "append each value only at the end of every epoch.")
            elif count == 1 and epochs > 1:
                cause_es, cause_en = ("solo se guardó un valor (el curso guardaba solo el último): añade a cada lista su "
                                      "valor al final de CADA época, dentro del bucle de épocas.",
                                      "only one value was kept (the course kept only the last): append each list's "
                                      "value at the end of EVERY epoch, inside the epoch loop.")
            fail(f"Tras {count_of(epochs, ('época', 'épocas'), ('epoch', 'epochs'), 'es')}, {name} tiene {count if count is not None else describe_value(curve)} "
                 f"valores; debe tener uno por época.",
                 f"After {count_of(epochs, ('época', 'épocas'), ('epoch', 'epochs'), 'en')} {name} has {count if count is not None else describe_value(curve)} values; "
                 f"it must have one per epoch.", cause_es=cause_es, cause_en=cause_en)
    for name, curve in zip(NAMES, history):
        expect_floats(list(curve), f"Los valores de {name}", f"The values of {name}")
    return [[float(np.asarray(v)) for v in curve] for curve in history]


def test_train_returns_four_curves_with_one_value_per_epoch(tr):
    for name, curve in zip(NAMES, curves(small_run(tr))):
        if not all(np.isfinite(curve)):
            fail(f"{name} contiene valores no finitos: {curve}.", f"{name} holds non-finite values: {curve}.")


def test_training_loss_falls_clearly_over_the_epochs(tr):
    train_loss, test_loss, _, test_acc = curves(small_run(tr))
    if not train_loss[-1] < 0.5 * train_loss[0]:
        fail(f"La pérdida de entrenamiento no baja: {[round(v, 4) for v in train_loss]} en {EPOCHS} épocas "
             "(con estos datos fáciles debería caer a menos de la mitad).",
             f"The training loss does not fall: {[round(v, 4) for v in train_loss]} over {EPOCHS} epochs "
             "(on this easy data it should drop below half).",
             cause_es="calcula la pérdida dentro de `with tf.GradientTape() as tape:`, pide tape.gradient(loss, variables) "
                      "y aplícalos con optimizer.apply_gradients(zip(grads, variables)) en cada lote.",
             cause_en="compute the loss inside `with tf.GradientTape() as tape:`, ask tape.gradient(loss, variables) "
                      "and apply them with optimizer.apply_gradients(zip(grads, variables)) for every batch.")
    if not test_acc[-1] > 0.5:
        fail(f"Tras {EPOCHS} épocas la exactitud de test es {test_acc[-1]:.3f}; con estos datos supera 0.5 (al azar sería 0.1).",
             f"After {EPOCHS} epochs the test accuracy is {test_acc[-1]:.3f}; on this data it exceeds 0.5 (chance is 0.1).")


def test_train_changes_every_parameter_it_is_given(tr):
    run = small_run(tr)
    names = ["weights[0]", "weights[1]", "biases[0]", "biases[1]"]
    trained = (*run["parameters"][0], *run["parameters"][1])
    for name, before, variable in zip(names, run["initial"], trained):
        if np.array_equal(before, to_numpy(variable)):
            fail(f"Tras entrenar, {name} de `parameters` sigue igual: los gradientes no se aplican a esas variables.",
                 f"After training {name} of `parameters` is unchanged: the gradients are not applied to those variables.",
                 cause_es="entrena las variables recibidas (weights, biases = parameters), sin copiarlas: "
                          "optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables)) con variables = weights + biases.",
                 cause_en="train the variables you were given (weights, biases = parameters) without copying them: "
                          "optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables)) with variables = weights + biases.")


def test_train_metrics_are_the_mean_over_all_batches_of_the_epoch(tr):
    run = small_run(tr)
    train_loss, _, train_acc, _ = curves(run)
    n_batches = -(-len(run["data"][0]) // BATCH)
    per_epoch = [[b for b in run["batches"] if b[0] == epoch] for epoch in range(EPOCHS)]
    if any(len(batches) != n_batches for batches in per_epoch):
        fail(f"on_batch debe llamarse una vez por lote: {n_batches} veces por época con 320 imágenes en lotes de {BATCH}; "
             f"se llamó {[len(b) for b in per_epoch]} veces.",
             f"on_batch must be called once per batch: {n_batches} times per epoch for 320 images in batches of {BATCH}; "
             f"it was called {[len(b) for b in per_epoch]} times.",
             cause_es="llama on_batch(epoch, batch, n_batches, loss, accuracy) tras cada lote, si no es None.",
             cause_en="call on_batch(epoch, batch, n_batches, loss, accuracy) after each step when it is not None.")
    means_loss = [np.mean([b[3] for b in batches]) for batches in per_epoch]
    means_acc = [np.mean([b[4] for b in batches]) for batches in per_epoch]
    last_loss = [batches[-1][3] for batches in per_epoch]
    if not np.allclose(train_loss, means_loss, rtol=1e-3, atol=1e-5):
        last_only = np.allclose(train_loss, last_loss, rtol=1e-3, atol=1e-5)
        fail(f"train_loss por época debe ser la media de las pérdidas de sus lotes: {np.round(means_loss, 4).tolist()}; "
             f"llegó {np.round(train_loss, 4).tolist()}.",
             f"train_loss per epoch must be the mean of its batches' losses: {np.round(means_loss, 4).tolist()}; "
             f"got {np.round(train_loss, 4).tolist()}.",
             cause_es=("es la pérdida del último lote: acumula la de todos los lotes de la época y divide al final."
                       if last_only else "acumula pérdida × tamaño del lote durante la época y divide entre el número de imágenes."),
             cause_en=("it is the last batch's loss: add up every batch of the epoch and divide at the end."
                       if last_only else "add up loss × batch size during the epoch and divide by the number of images."))
    expect_close(train_acc, means_acc, "train_accuracy por época (media de los lotes)",
                 "train_accuracy per epoch (mean over the batches)", rtol=1e-3, atol=1e-5,
                 cause_es="acumula los aciertos de todos los lotes de la época, no solo los del último.",
                 cause_en="add up the hits of every batch of the epoch, not only the last one's.")


def test_on_epoch_is_called_once_per_epoch_with_the_four_values(tr):
    run = small_run(tr)
    curves(run)   # one value per epoch first: a wrong count is the curves' fault, not on_epoch's
    epochs = run["epochs"]
    if [e[0] for e in epochs] != list(range(EPOCHS)):
        fail(f"on_epoch debe llamarse una vez por época con su número (0, 1, …); llegaron {[e[0] for e in epochs]}.",
             f"on_epoch must be called once per epoch with its number (0, 1, …); got {[e[0] for e in epochs]}.",
             cause_es="al final de cada época, tras evaluar el test: if on_epoch: on_epoch(epoch, metrics).",
             cause_en="at the end of each epoch, after evaluating the test set: if on_epoch: on_epoch(epoch, metrics).")
    for name, curve in zip(NAMES, curves(run)):
        reported = [float(metrics.get(name, np.nan)) for _, metrics in epochs]
        expect_close(reported, curve, f"on_epoch: metrics['{name}'] en cada época", f"on_epoch: metrics['{name}'] in each epoch",
                     cause_es="metrics es un dict con las claves train_loss, test_loss, train_accuracy y test_accuracy "
                              "y los mismos valores que se añaden a las curvas.",
                     cause_en="metrics is a dict with the keys train_loss, test_loss, train_accuracy and test_accuracy "
                              "holding the same values appended to the curves.")


def test_test_metrics_are_those_of_the_parameters_after_each_epoch(tr):
    run = small_run(tr)
    _, test_loss, _, test_acc = curves(run)
    weights, biases = run["parameters"]
    _, _, test_X, test_y = run["data"]
    logits = np_dense_logits(test_X, weights, biases)
    expect_close([test_loss[-1], test_acc[-1]], [np_cross_entropy(logits, test_y).mean(), np_hits(logits, test_y).mean()],
                 "(test_loss, test_accuracy) de la última época", "(test_loss, test_accuracy) of the last epoch",
                 rtol=1e-3, atol=1e-6,
                 cause_es="evalúa el conjunto de test (no el de entrenamiento) con evaluate(test_X, test_y, weights, biases, layers) "
                          "después de los lotes de la época.",
                 cause_en="evaluate the test set (not the training set) with evaluate(test_X, test_y, weights, biases, layers) "
                          "after the epoch's batches.")


# --- dropout: in training only -----------------------------------------------------------------

def one_full_batch(tr, dropout):
    """One epoch of a single batch holding the whole set, so shuffling cannot change it."""
    data = band_data(n_train=128, n_test=64)
    parameters = dense_parameters(seed=1)
    initial = [to_numpy(v).copy() for v in (*parameters[0], *parameters[1])]
    batches = []
    history = tr.train(data, 1, 0.01, 128, seed=0, dropout=dropout, layers=DENSE_LAYERS, parameters=parameters,
                       on_batch=lambda *a: batches.append(a))
    if len(batches) != 1:
        fail(f"Con 128 imágenes y batch_size=128 debe haber 1 lote por época; on_batch se llamó {len(batches)} veces.",
             f"With 128 images and batch_size=128 there must be 1 batch per epoch; on_batch was called {len(batches)} times.")
    return data, initial, parameters, batches[0][3], history


def test_without_dropout_the_batch_loss_is_the_cost_of_the_network(tr):
    (X, y, _, _), initial, _, loss, _ = one_full_batch(tr, dropout=None)
    expected = np_cross_entropy(np_dense_logits(X, initial[:2], initial[2:]), y).mean()
    expect_close(loss, expected, "Pérdida del primer lote (antes de actualizar)", "Loss of the first batch (before the update)",
                 cause_es="la pérdida de cada lote es cost(generate_network(x, weights, biases, layers), y), "
                          "calculada antes de aplicar los gradientes, sin dropout cuando dropout es None.",
                 cause_en="each batch's loss is cost(generate_network(x, weights, biases, layers), y), "
                          "computed before applying the gradients, with no dropout when dropout is None.")


def test_dropout_is_used_in_training_and_never_to_evaluate(tr):
    # One epoch of one batch from the same start, with and without dropout: the update must differ
    # (the gradients come from a network with units dropped), whenever the loss is measured.
    _, _, plain, _, _ = one_full_batch(tr, dropout=None)
    (X, y, test_X, test_y), initial, parameters, loss, history = one_full_batch(tr, dropout=0.5)
    trained = [to_numpy(v) for v in (*parameters[0], *parameters[1])]
    untouched = [to_numpy(v) for v in (*plain[0], *plain[1])]
    if all(np.allclose(a, b, atol=1e-7) for a, b in zip(trained, untouched)):
        fail("Con dropout=0.5 el entrenamiento deja exactamente los mismos pesos que sin dropout: el dropout no se usa "
             "al calcular los gradientes.",
             "With dropout=0.5 training leaves exactly the same weights as without dropout: dropout is not used when "
             "computing the gradients.",
             cause_es="dentro de tf.GradientTape llama generate_network(x, weights, biases, layers, drop_out=True, "
                      "dropout=dropout) cuando dropout no es None.",
             cause_en="inside tf.GradientTape call generate_network(x, weights, biases, layers, drop_out=True, "
                      "dropout=dropout) when dropout is not None.")
    logits = np_dense_logits(test_X, *parameters)
    _, test_loss, _, test_acc = history
    expect_close([float(test_loss[-1]), float(test_acc[-1])],
                 [np_cross_entropy(logits, test_y).mean(), np_hits(logits, test_y).mean()],
                 "(test_loss, test_accuracy) entrenando con dropout", "(test_loss, test_accuracy) when training with dropout",
                 cause_es="el test se evalúa sin dropout y sobre test_X, test_y: evaluate llama generate_network sin drop_out.",
                 cause_en="the test set is evaluated without dropout, on test_X, test_y: evaluate calls generate_network without drop_out.")


# --- the course network with the defaults --------------------------------------------------------

def test_train_runs_the_course_network_from_a_seed(tr):
    X, y = band_images(128, seed=20)
    test_X, test_y = band_images(64, seed=21)
    history = tr.train((X, y, test_X, test_y), 1, 0.001, 64, seed=0)
    train_loss, test_loss, train_acc, test_acc = (curve[0] for curve in curves(history, epochs=1))
    if not (np.isfinite(train_loss) and np.isfinite(test_loss) and 0 <= train_acc <= 1 and 0 <= test_acc <= 1):
        fail(f"Valores imposibles tras 1 época: pérdidas {train_loss}, {test_loss}; exactitudes {train_acc}, {test_acc}.",
             f"Impossible values after 1 epoch: losses {train_loss}, {test_loss}; accuracies {train_acc}, {test_acc}.")
