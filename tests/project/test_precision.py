"""kata.precision: what `--precision auto` picks on which hardware, and the two harnesses that make
the learner's network compute in 16 bits while its weights, its softmax and its loss stay float32."""

import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kata import impl, precision  # noqa: E402
from kata.precision import Machine  # noqa: E402

ZEN4 = Machine(cpu_name="AMD Ryzen 9 7950X", cpu_flags=frozenset({"avx512f", "avx512_bf16"}))
SAPPHIRE_RAPIDS = Machine(cpu_name="Intel Xeon", cpu_flags=frozenset({"avx512_bf16", "amx_bf16", "amx_tile"}))
SKYLAKE = Machine(cpu_name="Intel Xeon Gold 6148", cpu_flags=frozenset({"avx512f", "avx512bw"}))
H200 = Machine(cpu_flags=frozenset({"avx512f"}), gpus=(("NVIDIA H200", (9, 0)),))
T4 = Machine(gpus=(("Tesla T4", (7, 5)),))
P100 = Machine(gpus=(("Tesla P100-PCIE-16GB", (6, 0)),))


@pytest.fixture(autouse=True)
def english(monkeypatch):
    monkeypatch.setenv("KATA_LANG", "en")


@pytest.mark.parametrize("machine, expected", [
    (ZEN4, "bfloat16"), (SAPPHIRE_RAPIDS, "bfloat16"), (SKYLAKE, "float32"),
    (Machine(cpu_flags=frozenset({"amx_bf16"}), onednn=False), "float32"),
    (H200, "bfloat16"), (T4, "float16"), (P100, "float32"),
])
def test_auto_computes_in_16_bits_only_where_the_hardware_does(machine, expected):
    assert precision.choose("auto", machine).compute == expected


def test_auto_says_which_instructions_made_it_choose_bfloat16():
    chosen = precision.choose("auto", SAPPHIRE_RAPIDS)
    assert "AMX_BF16" in chosen.reason and "AVX512_BF16" in chosen.reason
    assert chosen.describe().startswith("Computing in bfloat16 with float32 weights (auto: the processor has")
    assert chosen.keras_policy == "mixed_bfloat16" and chosen.warning == ""


def test_auto_on_a_processor_without_bfloat16_says_what_it_lacks():
    chosen = precision.choose("auto", SKYLAKE)
    assert "no bfloat16 instructions" in chosen.reason and chosen.keras_policy == "float32"


def test_bfloat16_asked_on_a_processor_without_it_is_done_with_a_warning_that_it_is_slower():
    chosen = precision.choose("bfloat16", SKYLAKE)
    assert chosen.compute == "bfloat16"
    assert "slower than float32" in chosen.warning and chosen.warning in chosen.describe()


def test_float32_asked_is_float32_even_on_a_gpu():
    assert precision.choose("float32", H200).compute == "float32"


def test_an_unknown_precision_is_refused_naming_the_choices():
    with pytest.raises(precision.PrecisionError, match=r"'half'.*auto, float32, bfloat16, float16"):
        precision.choose("half", ZEN4)


def test_the_record_for_metrics_json_keeps_the_variables_in_float32():
    record = precision.choose("auto", T4).record()
    assert record["requested"] == "auto" and record["compute"] == "float16" and record["variables"] == "float32"
    assert record["device"] == "GPU Tesla T4"


def test_cpu_info_reads_the_model_name_and_the_flags(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)  Processor\nflags\t\t: fpu avx512_bf16 amx_bf16\n\n"
                       "processor\t: 1\nmodel name\t: Intel(R) Xeon(R)  Processor\nflags\t\t: fpu avx512_bf16 amx_bf16\n")
    name, flags = precision.cpu_info(cpuinfo)
    assert name == "Intel(R) Xeon(R) Processor" and {"avx512_bf16", "amx_bf16"} <= flags
    assert precision.cpu_info(tmp_path / "absent") == ("CPU", set())


# --------------------------------------------------------------------------- the harnesses

@pytest.fixture(scope="module")
def network():
    return impl.load_step("generate_network", "solutions", reference_deps=False, root=ROOT)


def test_the_mixed_network_computes_in_bfloat16_and_hands_back_float32_logits(network):
    import tensorflow as tf

    seen = []

    def spy(x, weights, biases, layers):
        seen.append({x.dtype, *(w.dtype for w in weights), *(b.dtype for b in biases)})
        return network.generate_network(x, weights, biases, layers)

    weights, biases = network.init_parameters(seed=0)
    mixed = precision.mixed_network(spy, "bfloat16")
    logits = mixed(np.random.default_rng(0).random((3, 784), np.float32), weights, biases, network.COURSE_LAYERS)
    assert seen == [{tf.bfloat16}] and logits.dtype == tf.float32 and logits.shape == (3, 10)
    assert mixed.calls == 1


def test_the_mixed_network_is_close_to_float32_and_its_gradients_reach_the_float32_weights(network):
    import tensorflow as tf

    weights, biases = network.init_parameters(seed=1)
    x = np.random.default_rng(1).random((8, 784), np.float32)
    mixed = precision.mixed_network(network.generate_network, "bfloat16")
    with tf.GradientTape() as tape:
        logits = mixed(x, weights, biases, network.COURSE_LAYERS)
        loss = tf.reduce_mean(tf.square(logits))
    gradients = tape.gradient(loss, weights + biases)
    assert all(g is not None and g.dtype == tf.float32 for g in gradients)
    exact = network.generate_network(x, weights, biases, network.COURSE_LAYERS)
    scale = float(tf.reduce_max(tf.abs(exact)))
    assert float(tf.reduce_max(tf.abs(logits - exact))) < 0.05 * scale   # bfloat16 keeps 8 bits of mantissa


def test_the_mixed_network_takes_weights_in_a_dict_as_the_course_kept_them():
    import tensorflow as tf

    def network(x, weights, biases, layers):
        return tf.matmul(x, weights["out"]) + biases["out"]

    w = {"out": tf.Variable(tf.ones((784, 10)))}
    b = {"out": tf.Variable(tf.zeros(10))}
    logits = precision.mixed_network(network, "bfloat16")(np.ones((2, 784), np.float32), w, b, (2,))
    assert logits.dtype == tf.float32 and float(logits[0, 0]) == 784.0


def test_the_learner_network_is_swapped_in_both_modules_and_put_back(network):
    train = impl.load_step("train", "solutions", reference_deps=False, root=ROOT)
    original = network.generate_network
    assert train.generate_network is original
    with precision.learner_network_in("bfloat16", train, network) as wrapped:
        assert train.generate_network is wrapped and network.generate_network is wrapped
    assert train.generate_network is original and network.generate_network is original
    with precision.learner_network_in("float32", train, network) as wrapped:
        assert wrapped is None and train.generate_network is original


def test_the_keras_policy_builds_bfloat16_layers_with_float32_weights_and_is_put_back():
    import keras

    build = impl.load_step("keras_model", "solutions", reference_deps=False, root=ROOT)
    before = keras.mixed_precision.global_policy().name
    with precision.keras_policy("bfloat16"):
        model = build.build_model()
    assert keras.mixed_precision.global_policy().name == before
    dense = model.layers[-1]
    assert dense.compute_dtype == "bfloat16" and dense.variable_dtype == "float32"
    assert all(w.dtype == "float32" for w in model.weights)


def test_in_float16_small_gradients_survive_and_arrive_unscaled(network):
    """float16's smallest normal number is 6e-5: a loss this small loses its gradients without
    the harness's loss scale, and keeps them, at their true size, with it."""
    import tensorflow as tf

    weights, biases = network.init_parameters(seed=2)
    x = np.random.default_rng(2).random((4, 784), np.float32)

    def gradients(mixed):
        with tf.GradientTape() as tape:
            loss = 1e-5 * tf.reduce_mean(tf.square(mixed(x, weights, biases, network.COURSE_LAYERS)))
        return tape.gradient(loss, weights)

    exact = gradients(lambda *a: network.generate_network(*a))
    scaled = gradients(precision.mixed_network(network.generate_network, "float16"))
    cast = lambda v: tf.cast(v, tf.float16)  # noqa: E731
    plain = gradients(lambda x, w, b, layers: tf.cast(network.generate_network(
        cast(x), [cast(v) for v in w], [cast(v) for v in b], layers), tf.float32))
    first_exact, first_scaled, first_plain = (float(tf.reduce_sum(tf.abs(g[0]))) for g in (exact, scaled, plain))
    assert scaled[0].dtype == tf.float32
    assert first_scaled == pytest.approx(first_exact, rel=0.05)
    assert first_plain < 0.5 * first_exact   # what the scale saves
