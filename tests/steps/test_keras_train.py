"""Step 10 · keras_train: compile and fit, the training loop of step 7 in two calls.

The loss and the accuracy are checked by what they compute (on a model whose logits we choose),
not by how they are spelled. Training uses a small dense model and a synthetic Fashion-MNIST
look-alike so that it takes about a second on a CPU.
"""

import keras
import numpy as np
import pytest

from kata.feedback import expect_close, fail, to_numpy

EPOCHS, BATCH, N_TRAIN, N_TEST = 3, 64, 320, 200
# Every image gets these logits (the model's bias); class 3 has the largest.
LOGITS = np.array([2.0, -1.0, 0.5, 3.0, -2.0, 0.0, 1.0, -0.5, 0.2, -3.0], np.float32)


@pytest.fixture(scope="module")
def kt(load_step):
    return load_step("keras_train")


def band_images(n, seed, noise=0.3):
    """n images whose class k is a bright band at rows 2k + 4 and 2k + 5, over uniform noise.

    Returns (X, y): (n, 784) float32 and (n, 10) one-hot float32.
    """
    rng = np.random.default_rng(seed)
    classes = rng.integers(0, 10, n)
    X = rng.uniform(0, noise, (n, 28, 28)).astype(np.float32)
    for image, k in zip(X, classes):
        image[2 * k + 4:2 * k + 6, :] = 1.0
    return X.reshape(n, 784), np.eye(10, dtype=np.float32)[classes]


def fixed_logits_model():
    """A model whose logits are LOGITS for every input: a Dense(10) with zero kernel."""
    model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(10)])
    model.layers[-1].set_weights([np.zeros((784, 10), np.float32), LOGITS])
    return model


def small_model():
    """Input (784) → Dense 32 ReLU → Dense 10 logits: quick to train."""
    return keras.Sequential([
        keras.Input((784,)),
        keras.layers.Dense(32, activation="relu", kernel_initializer=keras.initializers.GlorotUniform(seed=0)),
        keras.layers.Dense(10, kernel_initializer=keras.initializers.GlorotUniform(seed=1)),
    ])


def compiled(kt, model, learning_rate):
    result = kt.compile_model(model, learning_rate)
    if result is not model:
        fail("compile_model debe devolver el mismo modelo que recibe, ya compilado.",
             "compile_model must return the model it was given, compiled.",
             cause_es="model.compile(...) no devuelve nada: termina con `return model`.",
             cause_en="model.compile(...) returns nothing: end with `return model`.")
    return model


def evaluated(model, x, y):
    """model.evaluate(...) as a dict; a crash becomes a message about one-hot labels."""
    try:
        return model.evaluate(x, y, verbose=0, return_dict=True)
    except Exception as err:  # Keras raises many kinds; any of them means the compile settings do not fit
        lines = [line.strip() for line in str(err).strip().splitlines() if line.strip()] or [""]
        # A graph execution error lists the Python stack first; the reason is the first line after it.
        told = [line for line in lines[1:] if not line.startswith(("File ", "[[", "Detected at node"))]
        reason = (told[0] if lines[0].startswith("Graph execution error") and told else lines[0])[:300]
        fail(f"model.evaluate con etiquetas one-hot (8, 10) falla tras compile_model: {type(err).__name__}: {reason}",
             f"model.evaluate with one-hot labels (8, 10) fails after compile_model: {type(err).__name__}: {reason}",
             cause_es="las etiquetas son one-hot: CategoricalCrossentropy y CategoricalAccuracy; las versiones Sparse… esperan números de clase.",
             cause_en="the labels are one-hot: CategoricalCrossentropy and CategoricalAccuracy; the Sparse… versions expect class numbers.")


# --- compile_model -------------------------------------------------------------------------------

def test_compile_model_uses_adam_with_the_learning_rate_given(kt):
    model = compiled(kt, fixed_logits_model(), 0.0025)
    optimizer = model.optimizer
    if not isinstance(optimizer, keras.optimizers.Adam):
        fail(f"El optimizador es {type(optimizer).__name__}; el curso entrena con Adam.",
             f"The optimizer is {type(optimizer).__name__}; the course trains with Adam.",
             cause_es="optimizer=keras.optimizers.Adam(learning_rate=learning_rate), como el paso 7.",
             cause_en="optimizer=keras.optimizers.Adam(learning_rate=learning_rate), as in step 7.")
    rate = float(to_numpy(optimizer.learning_rate))
    if not np.isclose(rate, 0.0025):
        fail(f"compile_model(model, 0.0025) dejó una tasa de aprendizaje de {rate:g}.",
             f"compile_model(model, 0.0025) left a learning rate of {rate:g}.",
             cause_es="pasa la tasa recibida: keras.optimizers.Adam(learning_rate=learning_rate); optimizer='adam' usa 0.001 siempre.",
             cause_en="pass the rate you were given: keras.optimizers.Adam(learning_rate=learning_rate); optimizer='adam' always uses 0.001.")


def test_the_loss_is_the_cross_entropy_of_logits(kt):
    # Every row has the logits LOGITS; row i has the label labels[i]. The loss is the mean of
    # logsumexp(LOGITS) − LOGITS[label] — what softmax cross-entropy gives for logits.
    labels = np.array([3, 0, 9, 5, 3, 1, 6, 2])
    x = np.zeros((len(labels), 784), np.float32)
    y = np.eye(10, dtype=np.float32)[labels]
    model = compiled(kt, fixed_logits_model(), 0.001)
    results = evaluated(model, x, y)
    expected = float(np.mean(np.log(np.exp(LOGITS.astype(np.float64)).sum()) - LOGITS[labels]))
    expect_close(results.get("loss", np.nan), expected, "Pérdida de logits conocidos", "Loss of known logits",
                 cause_es="la red termina en logits (sin softmax): usa keras.losses.CategoricalCrossentropy(from_logits=True); "
                          "sin from_logits Keras los tomaría por probabilidades.",
                 cause_en="the network ends in logits (no softmax): use keras.losses.CategoricalCrossentropy(from_logits=True); "
                          "without from_logits Keras would take them for probabilities.")


def test_an_accuracy_metric_named_accuracy_counts_the_hits(kt):
    labels = np.array([3, 0, 9, 5, 3, 1, 6, 2])  # LOGITS predicts class 3: 2 hits out of 8
    x = np.zeros((len(labels), 784), np.float32)
    y = np.eye(10, dtype=np.float32)[labels]
    model = compiled(kt, fixed_logits_model(), 0.001)
    results = evaluated(model, x, y)
    if "accuracy" not in results:
        fail(f"model.evaluate devuelve {sorted(results)}; falta la métrica 'accuracy'.",
             f"model.evaluate returns {sorted(results)}; the 'accuracy' metric is missing.",
             cause_es="metrics=[keras.metrics.CategoricalAccuracy(name='accuracy')] en model.compile.",
             cause_en="metrics=[keras.metrics.CategoricalAccuracy(name='accuracy')] in model.compile.")
    expect_close(results["accuracy"], 0.25, "Exactitud de 8 filas con 2 aciertos", "Accuracy of 8 rows with 2 hits",
                 cause_es="las etiquetas son one-hot: la exactitud compara el argmax de logits y etiquetas (CategoricalAccuracy).",
                 cause_en="the labels are one-hot: accuracy compares the argmax of logits and labels (CategoricalAccuracy).")


# --- train_model ----------------------------------------------------------------------------------

class BatchCounter(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


class EpochWatcher(keras.callbacks.Callback):
    """At the end of every epoch: the logs fit reported, and the test set evaluated with the
    weights the model had right then (a callback like EarlyStopping may restore others later)."""

    def __init__(self, test_X, test_y):
        super().__init__()
        self.test_X, self.test_y, self.epochs = test_X, test_y, []

    def on_epoch_end(self, epoch, logs=None):
        measured = self.model.evaluate(self.test_X, self.test_y, batch_size=BATCH, verbose=0, return_dict=True)
        self.epochs.append((dict(logs or {}), measured))


_RUNS = {}


def small_run(kt):
    """Fit small_model for EPOCHS epochs through train_model, once per module under test.

    The test images are noisier than the training ones, so their loss is clearly different.
    Returns (history, model, data, counter).
    """
    key = (id(kt), getattr(kt, "__file__", ""))
    if key not in _RUNS:
        data = (*band_images(N_TRAIN, seed=30), *band_images(N_TEST, seed=31, noise=0.9))
        model = small_model()
        model.compile(optimizer=keras.optimizers.Adam(0.01),
                      loss=keras.losses.CategoricalCrossentropy(from_logits=True),
                      metrics=[keras.metrics.CategoricalAccuracy(name="accuracy")])
        counter, watcher = BatchCounter(), EpochWatcher(data[2], data[3])
        try:
            history = kt.train_model(model, data, EPOCHS, BATCH, callbacks=[counter, watcher], verbose=0)
            _RUNS[key] = (history, model, data, counter, watcher)
        except Exception as err:  # every test of the run reports the same failure
            _RUNS[key] = err
    if isinstance(_RUNS[key], Exception):
        raise _RUNS[key]
    return _RUNS[key]


def history_of(run):
    history = run[0]
    if not isinstance(history, keras.callbacks.History):
        fail(f"train_model debe devolver el History de model.fit; devolvió {type(history).__name__}.",
             f"train_model must return model.fit's History; it returned {type(history).__name__}.",
             cause_es="return model.fit(...).", cause_en="return model.fit(...).")
    return history.history


def test_train_model_returns_the_four_curves_one_value_per_epoch(kt):
    curves = history_of(small_run(kt))
    for name in ("loss", "accuracy", "val_loss", "val_accuracy"):
        if len(curves.get(name, [])) != EPOCHS:
            fail(f"history.history['{name}'] debe tener {EPOCHS} valores (uno por época); tiene "
                 f"{len(curves.get(name, []))}. Claves: {sorted(curves)}.",
                 f"history.history['{name}'] must hold {EPOCHS} values (one per epoch); it holds "
                 f"{len(curves.get(name, []))}. Keys: {sorted(curves)}.",
                 cause_es="model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, validation_data=(test_X, test_y)).",
                 cause_en="model.fit(train_X, train_y, epochs=epochs, batch_size=batch_size, validation_data=(test_X, test_y)).")


def test_train_model_honours_batch_size_and_callbacks(kt):
    counter = small_run(kt)[3]
    expected = EPOCHS * -(-N_TRAIN // BATCH)
    if counter.batches != expected:
        fail(f"Con {N_TRAIN} imágenes, batch_size={BATCH} y {EPOCHS} épocas debe haber {expected} pasos; "
             f"el callback contó {counter.batches}.",
             f"With {N_TRAIN} images, batch_size={BATCH} and {EPOCHS} epochs there must be {expected} steps; "
             f"the callback counted {counter.batches}.",
             cause_es="pasa batch_size=batch_size, epochs=epochs y callbacks=callbacks a model.fit.",
             cause_en="pass batch_size=batch_size, epochs=epochs and callbacks=callbacks to model.fit.")


def test_the_training_loss_falls(kt):
    loss = [float(v) for v in history_of(small_run(kt)).get("loss", [np.nan])]
    if not loss[-1] < 0.5 * loss[0]:
        fail(f"La pérdida de entrenamiento no baja lo esperado: {np.round(loss, 4).tolist()}.",
             f"The training loss does not fall as expected: {np.round(loss, 4).tolist()}.",
             cause_es="entrena con model.fit sobre train_X, train_y (los dos primeros elementos de data).",
             cause_en="train with model.fit on train_X, train_y (the first two items of data).")


def test_the_test_set_is_the_validation_data(kt):
    history = history_of(small_run(kt))
    watcher = small_run(kt)[4]
    if "val_loss" not in history:
        fail(f"history.history no tiene val_loss (tiene {sorted(history)}): no hubo validación.",
             f"history.history has no val_loss (it has {sorted(history)}): there was no validation.",
             cause_es="pasa validation_data=(test_X, test_y) a model.fit.",
             cause_en="pass validation_data=(test_X, test_y) to model.fit.")
    if not watcher.epochs:
        fail("Los callbacks que recibe train_model no se llamaron al final de ninguna época.",
             "The callbacks train_model is given were not called at the end of any epoch.",
             cause_es="pasa callbacks=callbacks a model.fit.", cause_en="pass callbacks=callbacks to model.fit.")
    logs, measured = watcher.epochs[-1]
    got = [float(logs.get("val_loss", np.nan)), float(logs.get("val_accuracy", np.nan))]
    expected = [float(measured["loss"]), float(measured["accuracy"])]
    if not np.allclose(got, expected, rtol=1e-3, atol=1e-5):
        fail(f"(val_loss, val_accuracy) de la última época = ({got[0]:.4f}, {got[1]:.4f}), pero el conjunto de test con "
             f"los pesos de esa época da ({expected[0]:.4f}, {expected[1]:.4f}): la validación no se hizo sobre el test.",
             f"(val_loss, val_accuracy) of the last epoch = ({got[0]:.4f}, {got[1]:.4f}), but the test set with that "
             f"epoch's weights gives ({expected[0]:.4f}, {expected[1]:.4f}): validation did not use the test set.",
             cause_es="validation_data=(test_X, test_y): la validación es el conjunto de test, no el de entrenamiento "
                      "ni una parte de él (validation_split).",
             cause_en="validation_data=(test_X, test_y): validation is the test set, not the training set "
                      "nor a part of it (validation_split).")
