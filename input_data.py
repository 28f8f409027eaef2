"""Fashion-MNIST loader for the kata, imported as ``import input_data`` like the course's.

``read_data_sets(train_dir)`` returns ``Datasets(train, validation, test)``: 55,000 / 5,000 /
10,000 images, each a row of 784 float32 pixels in [0, 1]. The four official IDX files are
looked for in ``train_dir``, then in the folder named by ``FASHION_MNIST_DIR``, then in
``DEBIAN_DIR`` (Debian's ``dataset-fashion-mnist``), and only then downloaded into ``train_dir``
from ``source_url`` and the ``MIRRORS``. Every file is checked against ``SHA256`` (computed on
the decompressed bytes, since mirrors recompress) and against its own IDX header. Every problem
raises ``DataLoadError`` with the file at fault and a way to fix it.

NumPy, the standard library and the kata's language choice (`kata.i18n`: every message is in
Spanish or English, as the learner reads everything else): no TensorFlow here.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import operator
import os
import sys
import tempfile
import urllib.error
import urllib.request
import warnings
import zlib
from collections import namedtuple
from math import isqrt, prod
from pathlib import Path
from typing import NamedTuple

import numpy as np

from kata.i18n import t

__all__ = [
    "LABELS", "DataLoadError", "DataSet", "Datasets", "read_data_sets",
    "DEFAULT_SOURCE_URL", "MIRRORS", "DEBIAN_DIR", "SHA256",
]

LABELS = {
    0: "T-shirt/top",
    1: "Trouser",
    2: "Pullover",
    3: "Dress",
    4: "Coat",
    5: "Sandal",
    6: "Shirt",
    7: "Sneaker",
    8: "Bag",
    9: "Ankle boot",
}
NUM_CLASSES = len(LABELS)

DEFAULT_SOURCE_URL = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
MIRRORS = ["https://storage.googleapis.com/tensorflow/tf-keras-datasets/"]
DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
ENV_DIR = "FASHION_MNIST_DIR"
TIMEOUT_S = 30.0

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

IMAGES_MAGIC = 2051  # 0x0803: unsigned bytes, 3 dimensions (count, rows, columns)
LABELS_MAGIC = 2049  # 0x0801: unsigned bytes, 1 dimension (count)
_MAGIC = {TRAIN_IMAGES: IMAGES_MAGIC, TRAIN_LABELS: LABELS_MAGIC,
          TEST_IMAGES: IMAGES_MAGIC, TEST_LABELS: LABELS_MAGIC}


class Digest(NamedTuple):
    """Expected sha256 (hex) and length in bytes of a decompressed IDX file."""

    sha256: str
    size: int


# Keyed by file name without ".gz". Only files named here are checked.
SHA256 = {
    "train-images-idx3-ubyte": Digest(
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", 47040016),
    "train-labels-idx1-ubyte": Digest(
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", 60008),
    "t10k-images-idx3-ubyte": Digest(
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", 7840016),
    "t10k-labels-idx1-ubyte": Digest(
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", 10008),
}

def _fix() -> str:
    return t("instala el paquete de Debian dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
             "o pon en FASHION_MNIST_DIR una carpeta con los cuatro ficheros .gz",
             "install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) "
             "or set FASHION_MNIST_DIR to a folder holding the four .gz files")

_CHUNK = 1 << 20


class DataLoadError(Exception):
    """Fashion-MNIST could not be loaded; the message names the file or value and the fix."""


class _Invalid(Exception):
    """Internal: why some bytes are not a usable IDX file. Always re-raised as DataLoadError."""


Datasets = namedtuple("Datasets", ["train", "validation", "test"])


# --------------------------------------------------------------------------- DataSet

class DataSet:
    """Images and labels, served in mini-batches epoch after epoch.

    images: (N, 784), (N, 28, 28) or (N, 28, 28, 1); uint8 pixels 0..255 are scaled to [0, 1]
        for a float ``dtype``, float pixels are kept as they are.
    labels: (N,) class numbers or (N, 10) one-hot rows, kept as given.
    reshape: True gives ``.images`` as (N, 784); False as (N, 28, 28, 1) (NHWC).
    seed: makes the shuffling of ``next_batch`` reproducible (``np.random.default_rng``).
    """

    def __init__(self, images, labels, *, dtype=np.float32, reshape=True, seed=None):
        images, labels = np.asarray(images), np.asarray(labels)
        if images.ndim < 2 or labels.ndim < 1:
            raise DataLoadError(t(
                f"DataSet necesita imágenes de forma (N, 784) o (N, 28, 28) y etiquetas (N,) o (N, 10); "
                f"llegaron imágenes {images.shape} y etiquetas {labels.shape}",
                f"DataSet needs images shaped (N, 784) or (N, 28, 28) and labels shaped (N,) "
                f"or (N, 10); got images {images.shape} and labels {labels.shape}"))
        if len(images) != len(labels):
            raise DataLoadError(t(
                f"DataSet recibió {len(images)} imágenes pero {len(labels)} etiquetas: pasa una etiqueta por imagen",
                f"DataSet got {len(images)} images but {len(labels)} labels: pass one label per image"))
        self._images = _arrange(_scale(images, dtype), reshape)
        self._labels = np.require(labels, requirements="W")  # copies read-only views only
        self._num_examples = len(images)
        self._epochs_completed = 0
        self._index_in_epoch = 0
        self._started = False
        self._order = np.arange(self._num_examples)
        self._rng = np.random.default_rng(seed)

    @property
    def images(self):
        """(N, 784) float32 in [0, 1], or (N, 28, 28, 1) when built with reshape=False."""
        return self._images

    @property
    def labels(self):
        """(N,) uint8 class numbers, or (N, 10) float32 one-hot rows."""
        return self._labels

    @property
    def num_examples(self):
        """N, the number of images."""
        return self._num_examples

    @property
    def epochs_completed(self):
        """How many full passes over the data ``next_batch`` has finished."""
        return self._epochs_completed

    def __repr__(self):
        return (f"DataSet(images={self._images.shape} {self._images.dtype}, "
                f"labels={self._labels.shape} {self._labels.dtype})")

    def next_batch(self, batch_size, shuffle=True):
        """The next ``batch_size`` examples: (images (B, 784), labels (B,) or (B, 10)).

        Each epoch visits every example exactly once, in a fresh random order when
        ``shuffle`` is true (the first epoch too). A batch that crosses the end of an epoch
        holds the rest of that epoch followed by the start of the next one.
        """
        n = self._num_examples
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or not 1 <= batch_size <= n:
            raise DataLoadError(t(
                f"batch_size={batch_size!r} no sirve: elige un entero entre 1 y {n} (el número de ejemplos)",
                f"batch_size={batch_size!r} is not usable: choose an integer between 1 and {n} (the number of examples)"))
        if not self._started:
            self._started = True
            if shuffle:
                self._order = self._rng.permutation(n)
        start = self._index_in_epoch
        end = start + batch_size
        if end < n:
            picked = self._order[start:end]
            self._index_in_epoch = end
        else:
            tail = self._order[start:]
            self._epochs_completed += 1
            if shuffle:
                # A new array, not an in-place shuffle: `tail` is a view of the old order.
                self._order = self._rng.permutation(n)
            head = batch_size - len(tail)
            picked = np.concatenate([tail, self._order[:head]])
            self._index_in_epoch = head
        return self._images[picked], self._labels[picked]


def _scale(images, dtype):
    """uint8 → ``dtype`` in [0, 1] for a float dtype; uint8 stays 0..255 for dtype=uint8."""
    try:
        dtype = np.dtype(dtype)
    except TypeError as err:
        raise DataLoadError(t(f"dtype={dtype!r} no es un dtype de NumPy: usa np.float32",
                              f"dtype={dtype!r} is not a NumPy dtype: use np.float32")) from err
    if dtype == np.uint8:
        if images.dtype != np.uint8:
            raise DataLoadError(t(
                f"dtype=uint8 necesita imágenes uint8 y llegaron {images.dtype}: usa dtype=np.float32",
                f"dtype=uint8 needs uint8 images, got {images.dtype}: use dtype=np.float32"))
        return np.require(images, requirements="W")
    if dtype.kind != "f":
        raise DataLoadError(t(
            f"dtype={dtype} no está admitido: usa np.float32 (píxeles en [0, 1]) o np.uint8 (píxeles 0..255)",
            f"dtype={dtype} is not supported: use np.float32 (pixels in [0, 1]) or np.uint8 (pixels 0..255)"))
    if images.dtype == np.uint8:
        return np.divide(images, 255, dtype=dtype)
    if images.dtype.kind == "f":
        return images.astype(dtype, copy=False)
    raise DataLoadError(t(
        f"las imágenes tienen dtype {images.dtype}: pasa píxeles uint8 0..255 o números reales en [0, 1]",
        f"images have dtype {images.dtype}: pass uint8 pixels 0..255 or floats in [0, 1]"))


def _arrange(images, reshape):
    """(N, H*W) rows when ``reshape``, else (N, H, W, 1)."""
    n = len(images)
    if reshape:
        return images.reshape(n, prod(images.shape[1:]))
    if images.ndim == 4 and images.shape[3] == 1:
        return images
    if images.ndim == 3:
        return images.reshape(*images.shape, 1)
    side = isqrt(images.shape[1])
    if images.ndim == 2 and side * side == images.shape[1]:
        return images.reshape(n, side, side, 1)
    raise DataLoadError(t(
        f"reshape=False no puede hacer imágenes cuadradas de un canal con la forma {images.shape}: "
        f"pasa imágenes (N, 28, 28) o (N, 784)",
        f"reshape=False cannot make square single-channel images from shape {images.shape}: "
        f"pass images shaped (N, 28, 28) or (N, 784)"))


# --------------------------------------------------------------------------- read_data_sets

def read_data_sets(train_dir, source_url=DEFAULT_SOURCE_URL, one_hot=False, dtype=np.float32,
                   reshape=True, validation_size=5000, seed=None, *, verify=True):
    """Load Fashion-MNIST as ``Datasets(train, validation, test)``.

    With the official files: train 55,000, validation 5,000 (the first ``validation_size``
    training images), test 10,000. Images are (N, 784) float32 in [0, 1] ((N, 28, 28, 1) with
    ``reshape=False``); labels are (N,) uint8, or (N, 10) float32 with ``one_hot``.

    train_dir: the folder searched first, and where downloads are cached.
    source_url: where to download from first (``None`` means the course's URL).
    seed: makes each set's ``next_batch`` shuffling reproducible.
    verify: check sha256 against ``SHA256`` (the IDX structure is always checked).
    """
    train_dir = Path(os.fspath(train_dir)).expanduser()
    urls = _urls(DEFAULT_SOURCE_URL if source_url is None else source_url)
    train_images, train_labels = _load_pair(TRAIN_IMAGES, TRAIN_LABELS, train_dir, urls, verify)
    test_images, test_labels = _load_pair(TEST_IMAGES, TEST_LABELS, train_dir, urls, verify)

    cut = _validation_cut(validation_size, len(train_images))
    if one_hot:
        train_labels, test_labels = _one_hot(train_labels), _one_hot(test_labels)
    seeds = np.random.SeedSequence(seed).spawn(3)
    options = {"dtype": dtype, "reshape": reshape}
    return Datasets(
        train=DataSet(train_images[cut:], train_labels[cut:], seed=seeds[0], **options),
        validation=DataSet(train_images[:cut], train_labels[:cut], seed=seeds[1], **options),
        test=DataSet(test_images, test_labels, seed=seeds[2], **options),
    )


def where(train_dir) -> str:
    """Where ``read_data_sets(train_dir)`` would read the four files from, in words, without reading
    them: ``train_dir`` when it holds them all, else FASHION_MNIST_DIR or Debian's package folder when
    one does, else a download into ``train_dir``. (The loader looks for each file on its own; a
    folder holding only some of them is summed up here as the download it will partly be.)"""
    train_dir = Path(os.fspath(train_dir)).expanduser()
    names = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)
    if all((train_dir / name).is_file() for name in names):
        debian = _same_dir(train_dir, DEBIAN_DIR)
        return f"{train_dir} ({t('paquete de Debian', 'Debian package')})" if debian else str(train_dir)
    for folder, _ in _shared_dirs():
        if all((folder / name).is_file() for name in names):
            label = t("paquete de Debian", "Debian package") if str(folder) == DEBIAN_DIR else ENV_DIR
            return f"{folder} ({label})"
    return t(f"descarga en {train_dir} (unos 30 MB)", f"download into {train_dir} (about 30 MB)")


def _validation_cut(validation_size, n_train):
    try:
        cut = operator.index(validation_size)
    except TypeError:
        cut = None
    if cut is None or isinstance(validation_size, bool) or not 0 <= cut <= n_train:
        raise DataLoadError(t(
            f"validation_size={validation_size!r} está fuera de rango: elige un entero entre 0 y {n_train} "
            f"(el número de imágenes de entrenamiento)",
            f"validation_size={validation_size!r} is out of range: choose an integer between "
            f"0 and {n_train} (the number of training images)"))
    return cut


def _one_hot(labels):
    """(N,) class numbers → (N, 10) float32 one-hot rows."""
    return np.eye(NUM_CLASSES, dtype=np.float32)[labels]


def _urls(source_url):
    """The download bases to try in order, ``source_url`` first, without repeats."""
    bases = []
    for base in [source_url, *MIRRORS]:
        base = str(base).rstrip("/") + "/"
        if base not in bases:
            bases.append(base)
    return bases


def _load_pair(images_name, labels_name, train_dir, urls, verify):
    """(images (N, rows, cols) uint8, labels (N,) uint8) from two IDX files."""
    images = _load(images_name, train_dir, urls, verify)
    labels = _load(labels_name, train_dir, urls, verify)
    if len(images) != len(labels):
        raise DataLoadError(t(
            f"{images_name} tiene {len(images)} imágenes pero {labels_name} tiene {len(labels)} etiquetas: "
            f"los dos ficheros no van juntos. Usa los cuatro ficheros oficiales: {_fix()}",
            f"{images_name} holds {len(images)} images but {labels_name} holds {len(labels)} "
            f"labels: the two files do not belong together. Use the four official files: {_fix()}"))
    return images, labels


# --------------------------------------------------------------------------- finding the files

def _load(name, train_dir, urls, verify):
    """The decoded IDX array of file ``name``: local copies first, then a download."""
    shared = _shared_dirs()
    notes = []
    cached = train_dir / name
    # train_dir is our cache, unless it *is* one of the shared folders (never delete there).
    if cached.is_file() and not any(_same_dir(train_dir, folder) for folder, _ in shared):
        try:
            return _decode(_read(cached), name, verify)
        except _Invalid as err:
            notes.append(t(f"{cached}: {err} (se borró: una copia corrupta no es de fiar)",
                           f"{cached}: {err} (deleted it: a corrupt cached file is not trusted)"))
            warnings.warn(t(f"{cached} no sirve ({err}); se borra y se descarga de nuevo",
                            f"{cached} is unusable ({err}); deleting it and fetching a fresh copy"), stacklevel=4)
            _remove(cached)
    for folder, fix in shared:
        path = folder / name
        if path.is_file():
            try:
                return _decode(_read(path), name, verify)
            except _Invalid as err:
                raise DataLoadError(t(f"{path} no sirve: {err}. Arreglo: {fix}",
                                      f"{path} is unusable: {err}. Fix: {fix}")) from None
    return _download(name, train_dir, urls, verify, notes)


def _shared_dirs():
    """[(folder, how to fix a bad file there)]: FASHION_MNIST_DIR if set, then DEBIAN_DIR."""
    folders = []
    env = os.environ.get(ENV_DIR)
    if env:
        folders.append((Path(env).expanduser(), t(
            f"cámbialo por el fichero oficial, o quita {ENV_DIR} para que read_data_sets descargue una copia nueva",
            f"replace it with the official file, or unset {ENV_DIR} so that read_data_sets downloads a fresh copy")))
    folders.append((Path(DEBIAN_DIR), t(
        "reinstala el paquete de Debian dataset-fashion-mnist (apt-get install --reinstall dataset-fashion-mnist)",
        "reinstall Debian's dataset-fashion-mnist (apt-get install --reinstall dataset-fashion-mnist)")))
    return folders


def _same_dir(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _read(path):
    try:
        return path.read_bytes()
    except OSError as err:
        raise DataLoadError(t(f"no se puede leer {path} ({err}): revisa sus permisos, o {_fix()}",
                              f"cannot read {path} ({err}): check its permissions, or {_fix()}")) from None


def _remove(path):
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        raise DataLoadError(t(f"no se puede borrar la copia corrupta {path} ({err}): bórrala a mano",
                              f"cannot delete the corrupt cached file {path} ({err}): delete it by hand")) from None


# --------------------------------------------------------------------------- decoding

def _decode(raw, name, verify):
    """gzip bytes → IDX array: (count, rows, cols) uint8 for images, (count,) for labels."""
    data = _gunzip(raw)
    digest = SHA256.get(name.removesuffix(".gz"))
    if verify and digest is not None:
        _check_digest(data, digest)
    return _parse_idx(data, _MAGIC[name])


def _gunzip(raw):
    """Decompress every gzip member of ``raw``; CRC and length are checked by zlib."""
    parts = []
    while True:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            parts.append(inflater.decompress(raw))
        except zlib.error as err:
            raise _Invalid(t(f"datos gzip corruptos o cortados ({err})",
                             f"corrupt or truncated gzip data ({err})")) from None
        if not inflater.eof:
            raise _Invalid(t("datos gzip corruptos o cortados (terminan antes del final del flujo comprimido)",
                             "corrupt or truncated gzip data (it ends before the end of the compressed stream)"))
        raw = inflater.unused_data
        if not raw.strip(b"\0"):  # gzip allows zero padding after the last member
            return b"".join(parts)


def _check_digest(data, digest):
    sha256, size = digest  # a Digest or any (sha256, size) pair
    if len(data) != size:
        raise _Invalid(t(f"la suma de control no coincide: descomprimido ocupa {len(data)} bytes y se esperaban {size}",
                         f"checksum mismatch: it decompresses to {len(data)} bytes, expected {size}"))
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        raise _Invalid(t(f"la suma de control no coincide: el sha256 de los bytes descomprimidos es {found} y se "
                         f"esperaba {sha256}",
                         f"checksum mismatch: sha256 of the decompressed bytes is {found}, expected {sha256}"))


def _parse_idx(data, magic):
    """IDX bytes → uint8 array shaped by the header (a view on ``data``, no copy)."""
    kind = t("imágenes", "images") if magic == IMAGES_MAGIC else t("etiquetas", "labels")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise _Invalid(t(f"solo {len(data)} bytes, menos que una cabecera IDX de {kind} ({header} bytes)",
                         f"only {len(data)} bytes, shorter than an IDX {kind} header ({header} bytes)"))
    fields = np.frombuffer(data, dtype=">u4", count=1 + ndim)
    if fields[0] != magic:
        raise _Invalid(t(f"número mágico IDX {fields[0]} incorrecto (un fichero IDX de {kind} empieza por {magic})",
                         f"wrong IDX magic number {fields[0]} (an IDX {kind} file starts with {magic})"))
    dims = tuple(int(d) for d in fields[1:])
    expected = header + prod(dims)
    if len(data) != expected:
        raise _Invalid(t(f"la cabecera no cuadra con el tamaño: anuncia {kind} de forma {dims} ({expected} bytes) "
                         f"pero el fichero tiene {len(data)} bytes",
                         f"header/size mismatch: the header announces {kind} of shape {dims} "
                         f"({expected} bytes) but the file holds {len(data)} bytes"))
    array = np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)
    if magic == LABELS_MAGIC and array.size and array.max() >= NUM_CLASSES:
        raise _Invalid(t(f"la etiqueta {array.max()} está fuera del rango 0..{NUM_CLASSES - 1}",
                         f"label {array.max()} is out of range 0..{NUM_CLASSES - 1}"))
    return array


# --------------------------------------------------------------------------- downloading

def _download(name, train_dir, urls, verify, notes):
    """Fetch ``name`` into ``train_dir`` from the first base URL that gives a good file."""
    _make_dir(train_dir, name)
    for base in urls:
        url = base + name
        try:
            return _fetch(url, train_dir, name, verify)
        except _Invalid as err:
            notes.append(f"{url}: {err}")
    looked = ", ".join(str(folder / name) for folder in [train_dir] + [f for f, _ in
                                                                       _shared_dirs()])
    tried = "\n".join(f"  - {note}" for note in notes)
    raise DataLoadError(t(
        f"no se pudo conseguir {name}: no está en este equipo (se buscó {looked}) y todas las descargas "
        f"fallaron:\n{tried}\nArreglo: {_fix()}; o revisa la conexión y source_url.",
        f"could not get {name}: not found locally (looked for {looked}) and every download "
        f"failed:\n{tried}\nFix: {_fix()}; or check the network connection and source_url."))


def _make_dir(folder, name):
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise DataLoadError(t(
            f"{name} no está en este equipo y no se puede descargar: no se puede crear la carpeta de descarga "
            f"{folder} ({err}). Pasa un train_dir con permiso de escritura, o {_fix()}.",
            f"{name} is not on this machine and cannot be downloaded: cannot create the "
            f"download folder {folder} ({err}). Pass a writable train_dir, or {_fix()}.")) from None


def _fetch(url, train_dir, name, verify):
    """Download ``url`` to a temporary file, check it, then rename it to ``train_dir/name``."""
    try:
        handle, temp = tempfile.mkstemp(dir=train_dir, prefix=f".{name}.", suffix=".part")
    except OSError as err:
        raise DataLoadError(t(f"no se puede escribir en la carpeta de descarga {train_dir} ({err}). Pasa un "
                              f"train_dir con permiso de escritura, o {_fix()}.",
                              f"cannot write into the download folder {train_dir} ({err}). "
                              f"Pass a writable train_dir, or {_fix()}.")) from None
    try:
        with os.fdopen(handle, "wb") as out:
            os.chmod(temp, 0o644)  # mkstemp's 0600 would hide the cache from other users
            raw = _copy_url(url, out, name)
        array = _decode(raw, name, verify)
        try:
            os.replace(temp, train_dir / name)
        except OSError as err:
            raise DataLoadError(t(f"no se puede guardar {train_dir / name} ({err}). Pasa un train_dir con "
                                  f"permiso de escritura, o {_fix()}.",
                                  f"cannot save {train_dir / name} ({err}). Pass a writable "
                                  f"train_dir, or {_fix()}.")) from None
        return array
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)


def _copy_url(url, out, label):
    """Stream ``url`` into the open file ``out``; return all the bytes read."""
    parts = []
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response:
            total = _content_length(response)
            with _progress(label, total) as advance:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    parts.append(chunk)
                    advance(len(chunk))
    except urllib.error.HTTPError as err:
        raise _Invalid(f"HTTP {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        raise _Invalid(t(f"inalcanzable ({err.reason})", f"unreachable ({err.reason})")) from None
    except TimeoutError:
        raise _Invalid(t(f"sin respuesta en {TIMEOUT_S} s", f"no answer within {TIMEOUT_S} s")) from None
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise _Invalid(t(f"la descarga falló ({type(err).__name__}: {err})",
                         f"download failed ({type(err).__name__}: {err})")) from None
    raw = b"".join(parts)
    if total is not None and len(raw) != total:
        raise _Invalid(t(f"descarga cortada: llegaron {len(raw)} de {total} bytes",
                         f"truncated download: got {len(raw)} of {total} bytes"))
    return raw


def _content_length(response):
    try:
        return int(response.headers["Content-Length"])
    except (KeyError, TypeError, ValueError):
        return None


@contextlib.contextmanager
def _progress(label, total):
    """Yield ``advance(n_bytes)``; draws a rich progress bar on a terminal's stderr."""
    try:
        from rich.console import Console
        from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                   TransferSpeedColumn)
    except ImportError:
        yield lambda n: None
        return
    console = Console(file=sys.stderr)
    if not (console.is_terminal or console.is_jupyter):
        yield lambda n: None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
