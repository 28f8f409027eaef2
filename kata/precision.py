"""The number format the network computes in: float32, or 16 bits with float32 weights.

Mixed precision, as Keras's dtype policies define it (`mixed_bfloat16`, `mixed_float16`): the
convolutions and matrix products run on 16-bit numbers, while the weights, Adam's state, the
softmax and the loss stay float32. bfloat16 keeps float32's 8 exponent bits (its range) and 8 bits
of mantissa; float16 has 5 and 11, so it needs loss scaling, which Keras adds by itself.

- `choose(requested)`: what `--precision auto|float32|bfloat16|float16` means on this machine,
  and why (`auto` takes 16 bits only where the hardware has them: a CPU with AVX512_BF16 or
  AMX_BF16 and oneDNN on, or a GPU).
- `learner_network_in(...)`: the tensorflow track's harness. The learner's `train` stays as it is;
  their `generate_network` is called through `mixed_network`, which casts its inputs, weights and
  biases to 16 bits and its logits back to float32.
- `keras_policy(...)`: the keras track's harness, Keras's own global dtype policy.

See docs/training.md for the sources.
"""

import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from kata.i18n import t

CHOICES = ("auto", "float32", "bfloat16", "float16")
MIXED = ("bfloat16", "float16")
# The x86 flags (/proc/cpuinfo) of instructions that compute on bfloat16 in hardware; without them
# oneDNN emulates bfloat16 with float32 instructions, slower than float32 itself.
CPU_BF16_FLAGS = ("amx_bf16", "avx512_bf16")
GPU_BF16 = (8, 0)   # NVIDIA compute capability with bfloat16 tensor cores (Ampere and later)
GPU_FP16 = (7, 0)   # with float16 tensor cores (Volta and later)


class PrecisionError(ValueError):
    """A --precision value that does not exist; the message names the choices."""


@dataclass(frozen=True)
class Machine:
    """What decides `auto`: the CPU's flags and name, whether TensorFlow's oneDNN is on, the GPUs.

    gpus: ((name, (major, minor) compute capability), ...), the first one is the one used.
    """
    cpu_name: str = "CPU"
    cpu_flags: frozenset = frozenset()
    onednn: bool = True
    gpus: tuple = ()

    def cpu_bf16(self) -> list:
        """The bfloat16 flags this CPU has, upper-case as TensorFlow prints them: ['AMX_BF16', ...]."""
        return [flag.upper() for flag in CPU_BF16_FLAGS if flag in self.cpu_flags]

    def device(self) -> str:
        """'GPU <name>' when there is a GPU, else 'CPU <name>'."""
        return f"GPU {self.gpus[0][0]}" if self.gpus else f"CPU {self.cpu_name}"


def cpu_info(path="/proc/cpuinfo") -> tuple:
    """(model name, set of flags) of the first processor listed; ('CPU', set()) where there is no
    such file (macOS, Windows)."""
    name, flags = "CPU", set()
    try:
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key == "model name" and name == "CPU":
                    name = " ".join(value.split())
                elif key in ("flags", "features") and not flags:
                    flags = set(value.split())
                if name != "CPU" and flags:
                    break
    except OSError:
        pass
    return name, flags


def onednn_on() -> bool:
    """Whether TensorFlow runs its CPU kernels through oneDNN (on by default on x86 Linux since
    TF 2.9; TF_ENABLE_ONEDNN_OPTS=0 turns it off)."""
    try:
        from tensorflow.python.util import _pywrap_util_port  # no public API says it

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1") not in ("0", "false", "False")


def visible_gpus() -> tuple:
    """((name, (major, minor)), ...) of the GPUs TensorFlow sees (imports TensorFlow)."""
    import tensorflow as tf

    found = []
    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            details = tf.config.experimental.get_device_details(gpu)
        except (ValueError, RuntimeError):
            details = {}
        found.append((details.get("device_name", gpu.name), tuple(details.get("compute_capability") or (0, 0))))
    return tuple(found)


def detect() -> Machine:
    """This machine, as `choose` needs it."""
    name, flags = cpu_info()
    return Machine(cpu_name=name, cpu_flags=frozenset(flags), onednn=onednn_on(), gpus=visible_gpus())


@dataclass(frozen=True)
class Precision:
    """What a run computes in. compute: 'float32', 'bfloat16' or 'float16'; the weights are always
    float32. reason: why, in the learner's language; warning: '' or why it may be slow."""
    requested: str
    compute: str
    device: str
    reason: str
    warning: str = ""
    notes: tuple = field(default_factory=tuple)

    @property
    def mixed(self) -> bool:
        return self.compute in MIXED

    @property
    def keras_policy(self) -> str:
        """The Keras dtype policy: 'float32', 'mixed_bfloat16' or 'mixed_float16'."""
        return f"mixed_{self.compute}" if self.mixed else "float32"

    def record(self) -> dict:
        """For metrics.json: requested, compute, variables, device, reason, warning, notes."""
        record = asdict(self)
        record["notes"] = list(self.notes)
        record["variables"] = "float32"
        return record

    def fallen_back(self, why: str) -> "Precision":
        """The same run in float32 after the 16-bit try failed for `why` (in the learner's language)."""
        return Precision(self.requested, "float32", self.device, self.reason, "", (*self.notes, why))

    def describe(self) -> str:
        """One line for the terminal: what is computed in what, and why."""
        if self.mixed:
            text = t(f"Cálculo en {self.compute} con pesos float32 ({self.reason})",
                     f"Computing in {self.compute} with float32 weights ({self.reason})")
        else:
            text = t(f"Cálculo en float32 ({self.reason})", f"Computing in float32 ({self.reason})")
        return text + (f". {self.warning}" if self.warning else "")


def check_choice(requested: str) -> str:
    """`requested` if it is one of CHOICES, else PrecisionError naming the value and the choices."""
    if requested not in CHOICES:
        raise PrecisionError(t(
            f"--precision {requested!r} no existe: elige una de {', '.join(CHOICES)} (auto: bfloat16 donde el "
            f"procesador o la GPU lo aceleran, float32 en otro caso)",
            f"--precision {requested!r} does not exist: choose one of {', '.join(CHOICES)} (auto: bfloat16 where "
            f"the processor or the GPU speeds it up, float32 elsewhere)"))
    return requested


def choose(requested: str = "auto", machine: Machine = None) -> Precision:
    """The Precision of a run asked for `requested` on `machine` (this one by default)."""
    check_choice(requested)
    machine = machine or detect()
    device = machine.device()
    if requested == "float32":
        return Precision(requested, "float32", device, t("pedido con --precision float32", "asked with --precision float32"))
    if machine.gpus:
        return _on_gpu(requested, machine.gpus[0], device)
    return _on_cpu(requested, machine, device)


def _on_gpu(requested, gpu, device) -> Precision:
    name, capability = gpu
    has = {"bfloat16": capability >= GPU_BF16, "float16": capability >= GPU_FP16}
    cc = ".".join(map(str, capability))
    if requested == "auto":
        compute = "bfloat16" if has["bfloat16"] else "float16" if has["float16"] else "float32"
        if compute == "float32":
            return Precision(requested, compute, device, t(
                f"auto: la GPU {name} (capacidad {cc}) no tiene núcleos de 16 bits",
                f"auto: the GPU {name} (capability {cc}) has no 16-bit tensor cores"))
        return Precision(requested, compute, device, t(f"auto: la GPU {name} (capacidad {cc}) calcula en {compute}",
                                                       f"auto: the GPU {name} (capability {cc}) computes in {compute}"))
    warning = "" if has[requested] else t(
        f"Ojo: la GPU {name} (capacidad {cc}) no acelera {requested}; float32 puede ser más rápido",
        f"Note: the GPU {name} (capability {cc}) does not speed up {requested}; float32 may be faster")
    return Precision(requested, requested, device, t(f"pedido con --precision {requested}", f"asked with --precision {requested}"),
                     warning)


def _on_cpu(requested, machine, device) -> Precision:
    flags = machine.cpu_bf16()
    fast = bool(flags) and machine.onednn
    if requested == "auto":
        if fast:
            return Precision(requested, "bfloat16", device, t(
                f"auto: el procesador tiene {' y '.join(flags)}", f"auto: the processor has {' and '.join(flags)}"))
        why = t("auto: el procesador no tiene instrucciones bfloat16 (AVX512_BF16, AMX_BF16)",
                "auto: the processor has no bfloat16 instructions (AVX512_BF16, AMX_BF16)") if not flags else t(
                "auto: oneDNN está apagado (TF_ENABLE_ONEDNN_OPTS=0)", "auto: oneDNN is off (TF_ENABLE_ONEDNN_OPTS=0)")
        return Precision(requested, "float32", device, why)
    asked = t(f"pedido con --precision {requested}", f"asked with --precision {requested}")
    if requested == "bfloat16" and not fast:
        return Precision(requested, requested, device, asked, t(
            "Ojo: este procesador no acelera bfloat16 (le faltan AVX512_BF16 o AMX_BF16, o oneDNN está apagado): "
            "será más lento que float32",
            "Note: this processor does not speed up bfloat16 (it lacks AVX512_BF16 or AMX_BF16, or oneDNN is off): "
            "it will be slower than float32"))
    if requested == "float16":
        return Precision(requested, requested, device, asked, t(
            "Ojo: sin GPU, float16 suele ser más lento que float32; en un procesador, el formato de 16 bits es bfloat16",
            "Note: without a GPU float16 is usually slower than float32; on a processor the 16-bit format is bfloat16"))
    return Precision(requested, requested, device, asked)


# --------------------------------------------------------------------------- the two harnesses

def numpy_dtype(compute: str):
    """The NumPy dtype of `compute` (bfloat16 is ml_dtypes's, which TensorFlow reads as tf.bfloat16)."""
    import tensorflow as tf

    return tf.as_dtype(compute).as_numpy_dtype


# float16 only. The learner's own optimizer cannot be wrapped in Keras's dynamic LossScaleOptimizer,
# so the harness scales the gradients itself, by a fixed factor: the course network's gradients
# stay far below float16's maximum (65504) even multiplied by it, and the small ones stop
# vanishing below float16's smallest normal number (6e-5). bfloat16 has float32's range: no scaling.
LOSS_SCALE = {"float16": 1024.0}


def _casts(dtype, scale: float):
    """(into, out_of): tf.cast to `dtype` and back to float32 whose gradients carry `scale`.

    Backwards, a gradient entering the 16-bit network through `out_of` is multiplied by `scale`,
    and divided by it again as it leaves through `into` towards a float32 variable; the forward
    values are plain casts.
    """
    import tensorflow as tf

    @tf.custom_gradient
    def into(value):
        def gradient(upstream):
            return tf.cast(upstream, tf.float32) / scale
        return tf.cast(value, dtype), gradient

    @tf.custom_gradient
    def out_of(value):
        def gradient(upstream):
            return tf.cast(upstream * scale, dtype)
        return tf.cast(value, tf.float32), gradient

    return into, out_of


def mixed_network(generate_network, compute: str):
    """`generate_network` computing in `compute` with its weights kept float32.

    The returned function takes the same arguments: x (batch, 784), weights, biases (lists,
    tuples or dicts of float32 variables), layers, and the rest as given. It casts x, every weight
    and every bias to `compute` on the way in — tf.cast is differentiable, so the gradients reach
    the float32 variables as float32 — and the (batch, n_classes) logits back to float32, so that
    the softmax and the loss run in float32. In float16 the gradients inside carry LOSS_SCALE.
    `.calls` counts the calls (traces, inside a tf.function), so the harness can tell a `train`
    that never called it.
    """
    import tensorflow as tf

    dtype = tf.as_dtype(compute)
    scale = LOSS_SCALE.get(compute)
    if scale:
        into, out_of = _casts(dtype, scale)
    else:
        def into(value):
            return tf.cast(value, dtype)

        def out_of(value):
            return tf.cast(value, tf.float32)

    def network(x, weights, biases, layers, *args, **kwargs):
        network.calls += 1
        logits = generate_network(tf.cast(x, dtype), tf.nest.map_structure(into, weights),
                                  tf.nest.map_structure(into, biases), layers, *args, **kwargs)
        return out_of(logits)

    network.calls = 0
    network.__name__ = getattr(generate_network, "__name__", "generate_network")
    network.__doc__ = getattr(generate_network, "__doc__", None)
    return network


@contextmanager
def learner_network_in(compute: str, train_module, network_module):
    """Inside the block, the learner's `train` module calls its `generate_network` through
    `mixed_network(..., compute)`; yields that wrapper (None for float32, where nothing changes).

    Both names are swapped — `generate_network` in the train module (`from generate_network import
    generate_network`) and in the network module (`import generate_network`) — and put back at
    the end of the block, or earlier by calling the wrapper's `.restore()`. A tf.function traces
    the names it finds at its first call and keeps them: `kata train` trains once per process.
    """
    if compute not in MIXED:
        yield None
        return
    original = network_module.generate_network
    wrapped = mixed_network(original, compute)
    swapped = [network_module]
    if getattr(train_module, "generate_network", None) is original:
        swapped.append(train_module)

    def restore():
        for module in swapped:
            module.generate_network = original

    wrapped.restore = restore
    for module in swapped:
        module.generate_network = wrapped
    try:
        yield wrapped
    finally:
        restore()


@contextmanager
def keras_policy(compute: str):
    """Keras's global dtype policy for `compute` ('float32', 'mixed_bfloat16', 'mixed_float16')
    inside the block; the policy before it is put back after. Layers take the policy when they are
    built, so the model must be built inside the block."""
    import keras

    before = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(f"mixed_{compute}" if compute in MIXED else "float32")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(before)
