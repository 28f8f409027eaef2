"""Tiny fake Fashion-MNIST files and a local HTTP server, for tests that must stay offline.

``write_fashion_files(folder)`` writes the four official file names holding a handful of
random 28×28 images; ``digests(files)`` gives the matching ``input_data.SHA256`` table;
``FileServer`` serves bytes from a thread on 127.0.0.1 (404, truncated bodies, silence).
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from pathlib import Path

import numpy as np

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
NAMES = (TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)


def idx_images(images):
    """IDX bytes (magic 2051) for uint8 images shaped (N, rows, cols)."""
    images = np.asarray(images, dtype=np.uint8)
    return struct.pack(">4I", 2051, *images.shape) + images.tobytes()


def idx_labels(labels):
    """IDX bytes (magic 2049) for uint8 labels shaped (N,)."""
    labels = np.asarray(labels, dtype=np.uint8)
    return struct.pack(">2I", 2049, len(labels)) + labels.tobytes()


def gz(data):
    """gzip-compress ``data`` (mtime 0, so the output is reproducible)."""
    return gzip.compress(data, mtime=0)


def fake_fashion(n_train=20, n_test=10, seed=0):
    """{file name: decompressed IDX bytes} for the four files, random pixels and labels 0..9.

    Labels cycle through the ten classes so every class appears.
    """
    rng = np.random.default_rng(seed)
    def part(n):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = (np.arange(n) + rng.integers(10)) % 10
        return idx_images(images), idx_labels(labels)
    train_images, train_labels = part(n_train)
    test_images, test_labels = part(n_test)
    return {TRAIN_IMAGES: train_images, TRAIN_LABELS: train_labels,
            TEST_IMAGES: test_images, TEST_LABELS: test_labels}


def write_files(folder, files):
    """Write {name: decompressed bytes} gzip-compressed into ``folder``; return the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(gz(data))
    return folder


def digests(files):
    """An ``input_data.SHA256``-style table {name without .gz: (sha256, size)} for ``files``."""
    return {name.removesuffix(".gz"): (hashlib.sha256(data).hexdigest(), len(data))
            for name, data in files.items()}


def decode_images(data):
    """(N, rows, cols) uint8 back from IDX image bytes."""
    n, rows, cols = struct.unpack(">3I", data[4:16])
    return np.frombuffer(data, np.uint8, offset=16).reshape(n, rows, cols)


def decode_labels(data):
    """(N,) uint8 back from IDX label bytes."""
    return np.frombuffer(data, np.uint8, offset=8)


def closed_port():
    """A local TCP port with nothing listening on it (just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FileServer:
    """An HTTP server on 127.0.0.1 (random port) serving ``routes``, from a thread.

    routes: {"/path": bytes}; any other path answers 404.
    truncate: {"/path": n} sends only the first n bytes while announcing the full length.
    requests: the paths asked for, in order.
    Use as a context manager; ``url`` is its base, ending in "/".
    """

    def __init__(self, routes=None, truncate=None):
        self.routes = dict(routes or {})
        self.truncate = dict(truncate or {})
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.routes.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[:server.truncate.get(self.path, len(body))])

            def log_message(self, *args):
                pass

        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class SilentServer:
    """A socket on 127.0.0.1 that accepts connections and never answers (to test time-outs)."""

    def __init__(self):
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}/"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._sock.close()
