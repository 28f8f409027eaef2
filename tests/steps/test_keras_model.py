"""Step 9 · keras_model: the course network from Keras layers, and proof that it is the same network.

The last tests copy the weights of the TensorFlow network of step 6 (the reference
`init_parameters`) into the learner's Keras model and compare the logits: the two phases of the
course build one network, not two.
"""

import keras
import numpy as np
import pytest
import tensorflow as tf

from kata.feedback import expect_shape, fail, to_numpy
from kata.i18n import t
from kata.stubs import is_stub_error

COURSE_PARAMETERS = 1_630_090
# (layer class, what to check) in order; Dropout sits between the two Dense layers when asked for.
EXPECTED = [
    ("Reshape", {"target_shape": (28, 28, 1)}),
    ("Conv2D", {"filters": 32, "kernel_size": (3, 3), "strides": (1, 1), "padding": "same", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": (2, 2), "strides": (2, 2)}),
    ("Conv2D", {"filters": 64, "kernel_size": (3, 3), "strides": (1, 1), "padding": "same", "activation": "relu"}),
    ("MaxPooling2D", {"pool_size": (2, 2), "strides": (2, 2)}),
    ("Flatten", {}),
    ("Dense", {"units": 512, "activation": "relu"}),
    ("Dense", {"units": 10, "activation": "linear"}),
]
# Each layer's output (without the batch): pooling 28 → 14 → 7 is the same with 'same' and 'valid'
# padding (even sizes), so either is accepted; a 'valid' convolution changes the shapes.
SHAPES = [(28, 28, 1), (28, 28, 32), (14, 14, 32), (14, 14, 64), (7, 7, 64), (3136,), (512,), (10,)]
CAUSES = {
    "padding": ("padding='same' en las Conv2D: con 'valid' 28 → 26 y la capa densa ya no recibe 3136 valores.",
                "padding='same' in the Conv2D layers: with 'valid' 28 → 26 and the dense layer no longer gets 3136 values."),
    "activation": ("ReLU en las convoluciones y en la densa oculta; la capa de salida sin activación: devuelve logits, "
                   "y la pérdida se calcula con from_logits=True.",
                   "ReLU on the convolutions and on the hidden dense layer; the output layer has no activation: it returns "
                   "logits, and the loss is computed with from_logits=True."),
    "filters": ("32 filtros en la primera convolución y 64 en la segunda, como los pesos (3, 3, 1, 32) y (3, 3, 32, 64).",
                "32 filters in the first convolution and 64 in the second, like the weights (3, 3, 1, 32) and (3, 3, 32, 64)."),
    "rate": ("Dropout recibe la tasa de TF2 (la fracción que se apaga) tal cual: layers.Dropout(dropout), no 1 - dropout.",
             "Dropout takes TF2's rate (the fraction dropped) as it is: layers.Dropout(dropout), not 1 - dropout."),
    "units": ("512 unidades en la capa oculta y n_output en la de salida, como los pesos (3136, 512) y (512, n_output).",
              "512 units in the hidden layer and n_output in the output one, like the weights (3136, 512) and (512, n_output)."),
}


@pytest.fixture(scope="module")
def km(load_step):
    return load_step("keras_model")


def built(km, **kwargs):
    model = km.build_model(**kwargs)
    if not isinstance(model, keras.Model):
        fail(f"build_model debe devolver un keras.Model; devolvió {type(model).__name__}.",
             f"build_model must return a keras.Model; it returned {type(model).__name__}.",
             cause_es="return keras.Sequential([keras.Input((784,)), layers.Reshape((28, 28, 1)), ...]).",
             cause_en="return keras.Sequential([keras.Input((784,)), layers.Reshape((28, 28, 1)), ...]).")
    return model


def working_layers(model):
    """The model's layers without the InputLayer that functional models list."""
    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def attribute(layer, name):
    value = getattr(layer, name, None)
    if name == "activation":
        return getattr(value, "__name__", str(value))
    return tuple(value) if isinstance(value, (list, tuple)) else value


def check_layers(model, expected):
    got = working_layers(model)
    got_names = [type(layer).__name__ for layer in got]
    expected_names = [name for name, _ in expected]
    if got_names != expected_names:
        fail(f"Capas del modelo: se esperaba {expected_names} y llegó {got_names}.",
             f"Model layers: expected {expected_names}, got {got_names}.",
             cause_es="Reshape, dos bloques Conv2D + MaxPooling2D, Flatten, Dense 512, [Dropout solo si hay tasa] y Dense de salida.",
             cause_en="Reshape, two Conv2D + MaxPooling2D blocks, Flatten, Dense 512, [Dropout only with a rate] and the output Dense.")
    for position, (layer, (name, wanted)) in enumerate(zip(got, expected)):
        for key, value in wanted.items():
            if attribute(layer, key) != value:
                es, en = CAUSES.get(key, ("", ""))
                if key == "activation" and attribute(layer, key) == "softmax":
                    es, en = SOFTMAX_CAUSE
                fail(f"Capa {position} ({name}): se esperaba {key}={value!r} y tiene {attribute(layer, key)!r}.",
                     f"Layer {position} ({name}): expected {key}={value!r}, it has {attribute(layer, key)!r}.",
                     cause_es=es, cause_en=en)
    shapes = [tuple(int(d) for d in layer.output.shape[1:]) for layer in got if layer.name != "dropout" and
              type(layer).__name__ != "Dropout"]
    wanted_shapes = SHAPES[:-1] + [(expected[-1][1].get("units", 10),)]
    for position, (shape, wanted) in enumerate(zip(shapes, wanted_shapes)):
        if shape != wanted:
            fail(f"La salida de la capa {position} tiene forma {shape}; en la red del curso es {wanted}.",
                 f"The output of layer {position} has shape {shape}; in the course network it is {wanted}.")


SOFTMAX_CAUSE = ("la capa de salida tiene activation='softmax': el modelo devuelve logits (Dense(n_output) sin "
                 "activación) y la pérdida los toma con from_logits=True (paso 10).",
                 "the output layer has activation='softmax': the model returns logits (Dense(n_output) with no "
                 "activation) and the loss takes them with from_logits=True (step 10).")


def test_build_model_returns_a_keras_model(km):
    built(km)


def test_the_layers_are_those_of_the_course_network_in_order(km):
    check_layers(built(km), EXPECTED)


def test_a_dropout_rate_adds_a_dropout_layer_before_the_output(km):
    expected = EXPECTED[:-1] + [("Dropout", {"rate": 0.3})] + EXPECTED[-1:]
    check_layers(built(km, dropout=0.3), expected)


def test_no_dropout_layer_without_a_rate(km):
    check_layers(built(km, dropout=None), EXPECTED)


def check_input(model, n_output):
    """The model takes (batch, 784) rows and gives (batch, n_output); checked before calling it."""
    if tuple(model.input_shape) != (None, 784):
        fail(f"Forma de entrada del modelo: se esperaba (None, 784) y es {model.input_shape}.",
             f"Model input shape: expected (None, 784), it is {model.input_shape}.",
             cause_es="empieza con keras.Input(shape=(784,)) y un Reshape((28, 28, 1)): recibe las mismas filas que la red de TensorFlow.",
             cause_en="start with keras.Input(shape=(784,)) and a Reshape((28, 28, 1)): it takes the same rows as the TensorFlow network.")
    if tuple(model.output_shape) != (None, n_output):
        fail(f"Forma de salida del modelo: se esperaba (None, {n_output}) y es {model.output_shape}.",
             f"Model output shape: expected (None, {n_output}), it is {model.output_shape}.",
             cause_es="la última capa es Dense(n_output) con el n_output recibido.",
             cause_en="the last layer is Dense(n_output) with the n_output given.")


@pytest.mark.parametrize("n_output", [10, 5])
def test_the_model_takes_flat_images_and_returns_n_output_logits(km, n_output):
    model = built(km, n_output=n_output)
    check_input(model, n_output)
    logits = to_numpy(model(np.zeros((2, 784), np.float32)))
    expect_shape(logits, (2, n_output), "Logits de 2 imágenes", "Logits of 2 images")


def test_the_model_has_1_630_090_parameters(km):
    count = built(km).count_params()
    if count != COURSE_PARAMETERS:
        fail(f"El modelo tiene {count:,} parámetros; la red del curso tiene {COURSE_PARAMETERS:,}.",
             f"The model has {count:,} parameters; the course network has {COURSE_PARAMETERS:,}.",
             cause_es="con padding 'same' y dos poolings llegan 7·7·64 = 3136 valores a Dense(512): "
                      "3136·512 + 512 de esa capa; revisa filtros, unidades y padding.",
             cause_en="with 'same' padding and two poolings 7·7·64 = 3136 values reach Dense(512): "
                      "3136·512 + 512 for that layer; check filters, units and padding.")


# --- equivalence with the TensorFlow network of step 6 ----------------------------------------------

def copy_tf_parameters(model, weights, biases):
    """set_weights on the Conv2D and Dense layers, in order, from the low-level parameters."""
    trainable = [layer for layer in working_layers(model) if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense))]
    if len(trainable) != len(weights):
        fail(f"El modelo tiene {len(trainable)} capas Conv2D/Dense; la red de TensorFlow tiene {len(weights)} pesos.",
             f"The model has {len(trainable)} Conv2D/Dense layers; the TensorFlow network has {len(weights)} weights.")
    for layer, w, b in zip(trainable, weights, biases):
        shapes = [tuple(v.shape) for v in layer.get_weights()]
        if shapes != [tuple(w.shape), tuple(b.shape)]:
            fail(f"La capa {layer.name} tiene pesos {shapes}; la capa equivalente de la red de TensorFlow tiene "
                 f"{[tuple(w.shape), tuple(b.shape)]}.",
                 f"Layer {layer.name} holds weights {shapes}; the matching step of the TensorFlow network holds "
                 f"{[tuple(w.shape), tuple(b.shape)]}.",
                 cause_es="Conv2D(32, 3) y Conv2D(64, 3) con padding='same', Dense(512) y Dense(n_output), con sesgo.",
                 cause_en="Conv2D(32, 3) and Conv2D(64, 3) with padding='same', Dense(512) and Dense(n_output), with bias.")
        layer.set_weights([to_numpy(w), to_numpy(b)])


@pytest.mark.parametrize("dropout", [None, 0.5], ids=["no-dropout", "dropout-at-inference"])
def test_with_the_same_weights_keras_and_tensorflow_give_the_same_logits(km, reference_step, dropout):
    gn = reference_step("generate_network")
    try:
        weights, biases = gn.init_parameters(seed=11)
        gn.generate_network(tf.zeros([1, 784]), weights, biases, [1, 1, 2, 2])
    except NotImplementedError as err:
        if not is_stub_error(err):
            raise
        # Only without solutions/ (a student release) is step 6 the learner's own, maybe unfinished.
        pytest.skip(t("esta comparación necesita antes el paso 6 (generate_network)",
                      "this comparison needs step 6 (generate_network) first"))
    # Non-zero biases, so that a bias in the wrong place shows.
    rng = np.random.default_rng(11)
    for b in biases:
        b.assign(rng.normal(0, 0.1, b.shape).astype(np.float32))
    model = built(km, dropout=dropout)
    check_input(model, 10)
    copy_tf_parameters(model, weights, biases)
    x = rng.uniform(0, 1, (8, 784)).astype(np.float32)
    expected = to_numpy(gn.generate_network(tf.constant(x), weights, biases, [1, 1, 2, 2]))
    got = to_numpy(model(x, training=False))
    expect_shape(got, expected.shape, "Logits del modelo Keras", "Logits of the Keras model")
    worst = float(np.max(np.abs(got - expected)))

    def first(logits):
        return [round(float(v), 4) for v in logits[0, :3]]

    if worst > 1e-5:
        fail(f"Con los mismos pesos, los logits de Keras y los de la red de TensorFlow (paso 6) difieren hasta en {worst:.3g} "
             f"(se admite 1e-5); primera imagen: Keras {first(got)}…, TensorFlow {first(expected)}….",
             f"With the same weights the logits of Keras and of the TensorFlow network (step 6) differ by up to {worst:.3g} "
             f"(1e-5 allowed); first image: Keras {first(got)}…, TensorFlow {first(expected)}….",
             cause_es="las dos redes deben hacer lo mismo capa a capa: padding 'same' en convolución y pooling, pooling 2 × 2 "
                      "con salto 2, ReLU en las ocultas, nada en la salida, y el Dropout solo activo al entrenar.",
             cause_en="both networks must do the same layer by layer: 'same' padding in convolution and pooling, 2 × 2 pooling "
                      "with stride 2, ReLU on the hidden layers, nothing on the output, and Dropout active only in training.")
