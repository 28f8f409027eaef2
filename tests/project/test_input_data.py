"""The Fashion-MNIST loader, `input_data`: tiny fake IDX files, a local HTTP server, and the real
files where Debian's dataset-fashion-mnist is installed. Nothing here touches the network."""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import input_data  # noqa: E402
from input_data import DataLoadError, DataSet  # noqa: E402

from support import idx  # noqa: E402

REAL_DIR = Path(input_data.DEBIAN_DIR)
N_TRAIN, N_TEST = 20, 10


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(autouse=True)
def offline(monkeypatch):
    """Refuse any connection that is not to 127.0.0.1, and fail the test that tried one."""
    attempts = []
    real_getaddrinfo, real_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost"):
            attempts.append(host)
            raise socket.gaierror(f"tests are offline: refused to resolve {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(sock, address):
        if sock.family in (socket.AF_INET, socket.AF_INET6) and address[0] != "127.0.0.1":
            attempts.append(address)
            raise ConnectionRefusedError(f"tests are offline: refused {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield
    assert not attempts, f"a test tried to reach the network: {attempts}"


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No FASHION_MNIST_DIR, an empty stand-in for Debian's folder, no mirrors; English messages
    (one test below reads them in Spanish)."""
    monkeypatch.setenv("KATA_LANG", "en")
    monkeypatch.delenv("FASHION_MNIST_DIR", raising=False)
    monkeypatch.setattr(input_data, "DEBIAN_DIR", str(tmp_path / "debian"))
    monkeypatch.setattr(input_data, "MIRRORS", [])


@pytest.fixture
def fake():
    """{file name: decompressed IDX bytes} for tiny fake Fashion-MNIST files."""
    return idx.fake_fashion(N_TRAIN, N_TEST, seed=0)


@pytest.fixture
def checksums(monkeypatch, fake):
    """Make input_data.SHA256 describe the fake files, so verify=True accepts them."""
    monkeypatch.setattr(input_data, "SHA256", idx.digests(fake))


@pytest.fixture
def data_dir(tmp_path, fake, checksums):
    """A train_dir holding the four fake .gz files."""
    return idx.write_files(tmp_path / "data", fake)


@pytest.fixture
def closed_url():
    return f"http://127.0.0.1:{idx.closed_port()}/"


def load(train_dir, **options):
    """read_data_sets with a validation split that fits the tiny files (5 of 20)."""
    options.setdefault("validation_size", 5)
    return input_data.read_data_sets(train_dir, **options)


def gz_files(folder):
    return sorted(p.name for p in Path(folder).iterdir())


def entries(folder):
    """Everything in folder, hidden files (temporary downloads) included."""
    return sorted(os.listdir(folder)) if Path(folder).exists() else []


# --------------------------------------------------------------------------- reading tiny files

def test_tiny_files_load_with_the_expected_shapes_dtypes_and_ranges(data_dir, fake):
    sets = load(data_dir, validation_size=5)
    images = idx.decode_images(fake[idx.TRAIN_IMAGES])
    labels = idx.decode_labels(fake[idx.TRAIN_LABELS])
    assert isinstance(sets, input_data.Datasets)
    assert sets.train.images.shape == (15, 784)
    assert sets.validation.images.shape == (5, 784)
    assert sets.test.images.shape == (10, 784)
    for part in sets:
        assert part.images.dtype == np.float32
        assert 0.0 <= part.images.min() and part.images.max() <= 1.0
        assert part.labels.dtype == np.uint8 and part.labels.ndim == 1
        assert part.num_examples == len(part.labels)
    np.testing.assert_allclose(sets.train.images, images[5:].reshape(15, 784) / 255, rtol=1e-6)
    np.testing.assert_array_equal(sets.train.labels, labels[5:])


def test_validation_holds_the_first_training_images(data_dir, fake):
    sets = load(data_dir, validation_size=7)
    images = idx.decode_images(fake[idx.TRAIN_IMAGES]).reshape(N_TRAIN, 784)
    np.testing.assert_array_equal(np.rint(sets.validation.images * 255), images[:7])
    np.testing.assert_array_equal(sets.validation.labels,
                                  idx.decode_labels(fake[idx.TRAIN_LABELS])[:7])


@pytest.mark.parametrize("validation_size", [0, N_TRAIN])
def test_validation_size_may_be_zero_or_every_training_image(data_dir, validation_size):
    sets = load(data_dir, validation_size=validation_size)
    assert sets.validation.num_examples == validation_size
    assert sets.train.num_examples == N_TRAIN - validation_size
    assert sets.validation.images.shape == (validation_size, 784)


@pytest.mark.parametrize("validation_size", [-1, N_TRAIN + 1, 2.5, "5"])
def test_a_validation_size_out_of_range_is_rejected_naming_the_value(data_dir, validation_size):
    with pytest.raises(DataLoadError, match="validation_size") as info:
        load(data_dir, validation_size=validation_size)
    assert repr(validation_size) in str(info.value)
    assert f"between 0 and {N_TRAIN}" in str(info.value)


def test_one_hot_labels_are_float32_rows_with_a_single_one(data_dir, fake):
    sets = load(data_dir, one_hot=True, validation_size=5)
    labels = idx.decode_labels(fake[idx.TEST_LABELS])
    assert sets.test.labels.shape == (N_TEST, 10)
    assert sets.test.labels.dtype == np.float32
    np.testing.assert_array_equal(sets.test.labels.sum(axis=1), 1)
    np.testing.assert_array_equal(sets.test.labels.argmax(axis=1), labels)


def test_reshape_false_gives_nhwc_images(data_dir):
    sets = load(data_dir, reshape=False, validation_size=5)
    assert sets.train.images.shape == (15, 28, 28, 1)
    assert sets.test.images.shape == (N_TEST, 28, 28, 1)


def test_dtype_uint8_keeps_the_raw_pixels(data_dir, fake):
    sets = load(data_dir, dtype=np.uint8, validation_size=0)
    assert sets.test.images.dtype == np.uint8
    assert sets.test.images.flags.writeable and sets.test.labels.flags.writeable
    np.testing.assert_array_equal(sets.test.images,
                                  idx.decode_images(fake[idx.TEST_IMAGES]).reshape(N_TEST, 784))


def test_labels_are_checked_to_be_ten_classes(tmp_path, fake, monkeypatch):
    fake[idx.TEST_LABELS] = idx.idx_labels([10] * N_TEST)
    env = idx.write_files(tmp_path / "env", fake)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(env))
    with pytest.raises(DataLoadError, match=r"label 10 is out of range 0\.\.9"):
        load(tmp_path / "cache", verify=False)


def test_files_made_of_several_gzip_members_load(tmp_path, fake):
    folder = idx.write_files(tmp_path / "data", fake)
    data = fake[idx.TRAIN_IMAGES]
    (folder / idx.TRAIN_IMAGES).write_bytes(idx.gz(data[:1000]) + idx.gz(data[1000:]) + b"\0")
    sets = load(folder, verify=False, validation_size=0)
    np.testing.assert_array_equal(np.rint(sets.train.images * 255),
                                  idx.decode_images(data).reshape(N_TRAIN, 784))


def test_where_names_the_folder_that_holds_the_files_or_the_download(tmp_path, fake, monkeypatch):
    empty = tmp_path / "nowhere"
    assert input_data.where(empty) == f"download into {empty} (about 30 MB)"
    idx.write_files(tmp_path / "debian", fake)
    assert input_data.where(empty) == f"{tmp_path / 'debian'} (Debian package)"
    assert input_data.where(tmp_path / "debian") == f"{tmp_path / 'debian'} (Debian package)"
    shared = idx.write_files(tmp_path / "shared", fake)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(shared))
    assert input_data.where(empty) == f"{shared} (FASHION_MNIST_DIR)"
    own = idx.write_files(tmp_path / "own", fake)
    assert input_data.where(own) == str(own)
    assert not empty.exists(), "where() only looks"


def test_the_module_does_not_import_tensorflow():
    code = "import sys, input_data; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_labels_and_checksum_table_describe_the_official_files():
    assert input_data.LABELS == {
        0: "T-shirt/top", 1: "Trouser", 2: "Pullover", 3: "Dress", 4: "Coat",
        5: "Sandal", 6: "Shirt", 7: "Sneaker", 8: "Bag", 9: "Ankle boot"}
    assert {name: size for name, (_, size) in input_data.SHA256.items()} == {
        "train-images-idx3-ubyte": 47040016, "train-labels-idx1-ubyte": 60008,
        "t10k-images-idx3-ubyte": 7840016, "t10k-labels-idx1-ubyte": 10008}


# --------------------------------------------------------------------------- DataSet

def numbered(n):
    """n uint8 images whose every pixel is the image's index, and labels index % 10."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 784).reshape(n, 28, 28)
    return images, (np.arange(n) % 10).astype(np.uint8)


def index_of(batch_images):
    return np.rint(batch_images[:, 0] * 255).astype(int)


def test_a_dataset_built_from_uint8_arrays_scales_pixels_to_the_unit_range():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    data = DataSet(images, [3])
    assert data.images.dtype == np.float32
    np.testing.assert_allclose(data.images, [[0.0, 1.0, 0.2, 0.4]], rtol=1e-6)
    assert data.num_examples == 1 and data.epochs_completed == 0


def test_a_dataset_keeps_float_images_as_they_are():
    images = np.full((3, 784), 0.25, dtype=np.float32)
    data = DataSet(images, [0, 1, 2])
    np.testing.assert_array_equal(data.images, images)


def test_a_dataset_reshaped_false_gives_nhwc_from_flat_rows():
    data = DataSet(np.zeros((2, 784), np.uint8), [0, 1], reshape=False)
    assert data.images.shape == (2, 28, 28, 1)


@pytest.mark.parametrize("n_labels", [3, 5])
def test_a_dataset_with_mismatched_counts_is_rejected(n_labels):
    with pytest.raises(DataLoadError, match=f"4 images but {n_labels} labels"):
        DataSet(np.zeros((4, 784), np.uint8), np.zeros(n_labels, np.uint8))


@pytest.mark.parametrize("dtype", [np.int32, "not a dtype"])
def test_a_dataset_rejects_unsupported_dtypes(dtype):
    with pytest.raises(DataLoadError, match="dtype"):
        DataSet(np.zeros((1, 784), np.uint8), [0], dtype=dtype)


def test_next_batch_is_reproducible_under_a_seed():
    images, labels = numbered(50)
    def batches(seed):
        data = DataSet(images, labels, seed=seed)
        return [index_of(data.next_batch(16)[0]).tolist() for _ in range(8)]
    assert batches(7) == batches(7)
    assert batches(7) != batches(8)


def test_next_batch_sees_every_example_once_per_epoch():
    images, labels = numbered(10)
    data = DataSet(images, labels, seed=0)
    seen = np.concatenate([index_of(data.next_batch(3)[0]) for _ in range(10)])
    for epoch in range(3):
        assert sorted(seen[epoch * 10:(epoch + 1) * 10]) == list(range(10)), f"epoch {epoch}"
    assert data.epochs_completed == 3


def test_a_batch_across_the_epoch_boundary_is_the_tail_then_the_next_shuffled_epoch():
    images, labels = numbered(10)
    data = DataSet(images, labels, seed=1)
    first = [index_of(data.next_batch(4)[0]) for _ in range(2)]
    crossing = index_of(data.next_batch(4)[0])
    rest = index_of(data.next_batch(8)[0])
    epoch_one = np.concatenate(first + [crossing[:2]])
    assert sorted(epoch_one) == list(range(10))
    assert sorted(np.concatenate([crossing[2:], rest])) == list(range(10))
    assert data.epochs_completed == 2


def test_epochs_completed_counts_a_pass_as_soon_as_it_ends():
    images, labels = numbered(6)
    data = DataSet(images, labels)
    data.next_batch(3)
    assert data.epochs_completed == 0
    data.next_batch(3)
    assert data.epochs_completed == 1


def test_the_first_epoch_is_shuffled_too():
    images, labels = numbered(100)
    data = DataSet(images, labels, seed=0)
    assert index_of(data.next_batch(100)[0]).tolist() != list(range(100))


def test_without_shuffle_batches_follow_the_stored_order():
    images, labels = numbered(5)
    data = DataSet(images, labels)
    got = [index_of(data.next_batch(2, shuffle=False)[0]).tolist() for _ in range(3)]
    assert got == [[0, 1], [2, 3], [4, 0]]


def test_each_batch_keeps_images_and_labels_paired():
    images, labels = numbered(30)
    data = DataSet(images, labels, seed=3)
    for _ in range(7):
        batch_images, batch_labels = data.next_batch(9)
        np.testing.assert_array_equal(index_of(batch_images) % 10, batch_labels)


@pytest.mark.parametrize("batch_size", [0, -1, 11, 2.0, True])
def test_next_batch_rejects_unusable_batch_sizes(batch_size):
    images, labels = numbered(10)
    with pytest.raises(DataLoadError, match="batch_size"):
        DataSet(images, labels).next_batch(batch_size)


# --------------------------------------------------------------------------- where files are found

def test_train_dir_beats_fashion_mnist_dir_beats_debian_dir(tmp_path, monkeypatch):
    sources = {}
    for seed, where in enumerate(["train", "env", "debian"]):
        files = idx.fake_fashion(N_TRAIN, N_TEST, seed=seed)
        sources[where] = idx.write_files(tmp_path / where, files)
        sources[where + " images"] = idx.decode_images(files[idx.TEST_IMAGES])
    monkeypatch.setenv("FASHION_MNIST_DIR", str(sources["env"]))
    monkeypatch.setattr(input_data, "DEBIAN_DIR", str(sources["debian"]))

    def loaded_from():
        test = load(sources["train"], verify=False).test
        pixels = np.rint(test.images * 255).reshape(N_TEST, 28, 28)
        return next(w for w in ["train", "env", "debian"]
                    if np.array_equal(pixels, sources[w + " images"]))

    assert loaded_from() == "train"
    for name in idx.NAMES:
        (sources["train"] / name).unlink()
    assert loaded_from() == "env"
    monkeypatch.delenv("FASHION_MNIST_DIR")
    assert loaded_from() == "debian"
    assert entries(sources["train"]) == [], "nothing is copied into train_dir"


def test_files_may_come_from_different_folders(tmp_path, fake, checksums, monkeypatch):
    idx.write_files(tmp_path / "train", {idx.TRAIN_IMAGES: fake[idx.TRAIN_IMAGES]})
    idx.write_files(tmp_path / "env", {idx.TRAIN_LABELS: fake[idx.TRAIN_LABELS]})
    idx.write_files(tmp_path / "debian", {n: fake[n] for n in (idx.TEST_IMAGES, idx.TEST_LABELS)})
    monkeypatch.setenv("FASHION_MNIST_DIR", str(tmp_path / "env"))
    sets = load(tmp_path / "train", validation_size=0)
    assert (sets.train.num_examples, sets.test.num_examples) == (N_TRAIN, N_TEST)


def test_a_missing_train_dir_is_not_created_when_the_files_are_elsewhere(tmp_path, fake,
                                                                          checksums):
    idx.write_files(tmp_path / "debian", fake)
    load(tmp_path / "nowhere" / "data")
    assert not (tmp_path / "nowhere").exists()


# --------------------------------------------------------------------------- downloads

def served(fake):
    return {f"/{name}": idx.gz(data) for name, data in fake.items()}


def test_a_download_renames_verified_files_into_train_dir_and_leaves_no_temp_files(
        tmp_path, fake, checksums, capsys):
    with idx.FileServer(served(fake)) as server:
        sets = load(tmp_path / "cache", source_url=server.url)
    assert sets.train.num_examples == N_TRAIN - 5
    assert entries(tmp_path / "cache") == sorted(idx.NAMES)
    assert sorted(server.requests) == sorted(f"/{name}" for name in idx.NAMES)
    for name in idx.NAMES:
        assert gzip.decompress((tmp_path / "cache" / name).read_bytes()) == fake[name]
    assert capsys.readouterr().out == ""
    assert all((tmp_path / "cache" / name).stat().st_mode & 0o044 for name in idx.NAMES)


def test_downloaded_files_are_read_from_the_cache_next_time(tmp_path, fake, checksums):
    with idx.FileServer(served(fake)) as server:
        load(tmp_path / "cache", source_url=server.url)
        load(tmp_path / "cache", source_url=server.url)
    assert len(server.requests) == 4


def test_a_source_url_without_trailing_slash_works(tmp_path, fake, checksums):
    with idx.FileServer(served(fake)) as server:
        sets = load(tmp_path / "cache", source_url=server.url.rstrip("/"))
    assert sets.test.num_examples == N_TEST


def test_a_404_on_the_first_url_falls_back_to_the_next_mirror(tmp_path, fake, checksums,
                                                             monkeypatch):
    with idx.FileServer({}) as empty, idx.FileServer(served(fake)) as mirror:
        monkeypatch.setattr(input_data, "MIRRORS", [mirror.url])
        sets = load(tmp_path / "cache", source_url=empty.url)
    assert sets.test.num_examples == N_TEST
    assert len(empty.requests) == 4 and len(mirror.requests) == 4
    assert entries(tmp_path / "cache") == sorted(idx.NAMES)


def test_file_urls_work(tmp_path, fake, checksums):
    source = idx.write_files(tmp_path / "published", fake)
    sets = load(tmp_path / "cache", source_url=source.as_uri())
    assert sets.test.num_examples == N_TEST
    assert entries(tmp_path / "cache") == sorted(idx.NAMES)


def bad_download(tmp_path, url):
    """Run a download expected to fail; return the message after checking nothing was left."""
    with pytest.raises(DataLoadError) as info:
        load(tmp_path / "cache", source_url=url)
    assert entries(tmp_path / "cache") == [], "a failed download leaves no file behind"
    message = str(info.value)
    assert "dataset-fashion-mnist" in message and "FASHION_MNIST_DIR" in message
    return message


def test_a_truncated_body_is_rejected_and_leaves_no_partial_file(tmp_path, fake, checksums):
    routes = served(fake)
    cut = {path: len(body) // 2 for path, body in routes.items()}
    with idx.FileServer(routes, truncate=cut) as server:
        message = bad_download(tmp_path, server.url)
    assert f"{server.url}{idx.TRAIN_IMAGES}: truncated download" in message


def test_a_complete_body_holding_a_truncated_gzip_is_rejected(tmp_path, fake, checksums):
    routes = {path: body[:len(body) // 2] for path, body in served(fake).items()}
    with idx.FileServer(routes) as server:
        message = bad_download(tmp_path, server.url)
    assert "corrupt or truncated" in message


def test_a_download_with_the_wrong_checksum_is_rejected(tmp_path, fake, monkeypatch):
    wrong = idx.digests(fake)
    wrong["train-images-idx3-ubyte"] = ("0" * 64, wrong["train-images-idx3-ubyte"][1])
    monkeypatch.setattr(input_data, "SHA256", wrong)
    with idx.FileServer(served(fake)) as server:
        message = bad_download(tmp_path, server.url)
    assert "checksum mismatch" in message and "expected " + "0" * 64 in message


def test_a_bad_first_url_then_a_good_mirror_succeeds(tmp_path, fake, checksums, monkeypatch):
    routes = served(fake)
    cut = {path: 10 for path in routes}
    with idx.FileServer(routes, truncate=cut) as bad, idx.FileServer(routes) as good:
        monkeypatch.setattr(input_data, "MIRRORS", [good.url])
        load(tmp_path / "cache", source_url=bad.url)
    assert entries(tmp_path / "cache") == sorted(idx.NAMES)


def test_unreachable_urls_are_each_listed_with_their_reason(tmp_path, checksums, monkeypatch):
    first, second = (f"http://127.0.0.1:{idx.closed_port()}/" for _ in range(2))
    monkeypatch.setattr(input_data, "MIRRORS", [second])
    message = bad_download(tmp_path, first)
    assert f"{first}{idx.TRAIN_IMAGES}: unreachable" in message
    assert f"{second}{idx.TRAIN_IMAGES}: unreachable" in message
    assert str(tmp_path / "cache" / idx.TRAIN_IMAGES) in message, "it says where it looked"


def test_a_server_that_never_answers_times_out_and_the_next_mirror_is_tried(
        tmp_path, fake, checksums, monkeypatch):
    monkeypatch.setattr(input_data, "TIMEOUT_S", 0.2)
    with idx.SilentServer() as silent, idx.FileServer(served(fake)) as good:
        monkeypatch.setattr(input_data, "MIRRORS", [good.url])
        load(tmp_path / "cache", source_url=silent.url)
    assert entries(tmp_path / "cache") == sorted(idx.NAMES)


def test_a_missing_file_url_is_reported(tmp_path, checksums):
    message = bad_download(tmp_path, (tmp_path / "empty").as_uri())
    assert "unreachable" in message


def test_an_unwritable_train_dir_raises_naming_the_folder(tmp_path, checksums, closed_url):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    train_dir = blocker / "data"
    with pytest.raises(DataLoadError, match="cannot create the download folder") as info:
        load(train_dir, source_url=closed_url)
    assert str(train_dir) in str(info.value)


def test_a_corrupt_cached_file_in_train_dir_is_replaced_by_a_download(data_dir, fake):
    (data_dir / idx.TRAIN_IMAGES).write_bytes(b"\x1f\x8b not really gzip")
    with idx.FileServer(served(fake)) as server:
        with pytest.warns(UserWarning, match="deleting it and fetching a fresh copy"):
            load(data_dir, source_url=server.url)
    assert server.requests == [f"/{idx.TRAIN_IMAGES}"]
    assert gzip.decompress((data_dir / idx.TRAIN_IMAGES).read_bytes()) == fake[idx.TRAIN_IMAGES]
    assert entries(data_dir) == sorted(idx.NAMES)


def test_a_cached_file_with_the_wrong_checksum_is_replaced_too(data_dir, fake):
    other = idx.fake_fashion(N_TRAIN, N_TEST, seed=99)[idx.TEST_IMAGES]
    (data_dir / idx.TEST_IMAGES).write_bytes(idx.gz(other))
    with idx.FileServer(served(fake)) as server, pytest.warns(UserWarning, match="checksum"):
        load(data_dir, source_url=server.url)
    assert gzip.decompress((data_dir / idx.TEST_IMAGES).read_bytes()) == fake[idx.TEST_IMAGES]


def test_a_corrupt_cached_file_is_not_kept_when_the_download_fails(data_dir, closed_url):
    (data_dir / idx.TRAIN_LABELS).write_bytes(b"garbage")
    with pytest.warns(UserWarning), pytest.raises(DataLoadError) as info:
        load(data_dir, source_url=closed_url)
    assert f"{data_dir / idx.TRAIN_LABELS}: corrupt or truncated" in str(info.value)
    assert idx.TRAIN_LABELS not in entries(data_dir)


# --------------------------------------------------------------------------- bad local files

def truncated_gzip(files):
    body = idx.gz(files[idx.TRAIN_IMAGES])
    return idx.TRAIN_IMAGES, body[:len(body) // 2]


def corrupt_gzip(files):
    body = bytearray(idx.gz(files[idx.TRAIN_IMAGES]))
    body[len(body) // 2: len(body) // 2 + 64] = bytes(64)
    return idx.TRAIN_IMAGES, bytes(body)


def wrong_magic(files):
    return idx.TRAIN_LABELS, idx.gz(b"\x00\x00\x08\x03" + files[idx.TRAIN_LABELS][4:])


def header_larger_than_data(files):
    return idx.TRAIN_IMAGES, idx.gz(files[idx.TRAIN_IMAGES][:-784])


def header_smaller_than_data(files):
    return idx.TEST_LABELS, idx.gz(files[idx.TEST_LABELS] + b"\x01")


def shorter_than_a_header(files):
    return idx.TEST_IMAGES, idx.gz(b"\x00\x00\x08\x03\x00")


BAD_FILES = {
    truncated_gzip: "corrupt or truncated",
    corrupt_gzip: "corrupt or truncated",
    wrong_magic: "wrong IDX magic",
    header_larger_than_data: "header/size mismatch",
    header_smaller_than_data: "header/size mismatch",
    shorter_than_a_header: "shorter than an IDX images header",
}


@pytest.mark.parametrize("spoil", BAD_FILES, ids=lambda f: f.__name__)
def test_a_bad_file_in_fashion_mnist_dir_is_reported_and_left_alone(tmp_path, fake, spoil,
                                                                      monkeypatch, checksums):
    env = idx.write_files(tmp_path / "env", fake)
    name, body = spoil(fake)
    (env / name).write_bytes(body)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(env))
    with pytest.raises(DataLoadError, match=BAD_FILES[spoil]) as info:
        load(tmp_path / "cache", verify=False)
    assert str(env / name) in str(info.value)
    assert "FASHION_MNIST_DIR" in str(info.value)
    assert (env / name).read_bytes() == body, "never delete outside train_dir"


def test_a_checksum_mismatch_in_fashion_mnist_dir_is_reported_and_left_alone(tmp_path, fake,
                                                                             monkeypatch):
    env = idx.write_files(tmp_path / "env", fake)
    monkeypatch.setenv("FASHION_MNIST_DIR", str(env))
    with pytest.raises(DataLoadError, match="checksum mismatch") as info:
        load(tmp_path / "cache")  # the real table, fake files
    assert str(env / idx.TRAIN_IMAGES) in str(info.value)
    assert gz_files(env) == sorted(idx.NAMES)


def test_a_bad_file_in_the_debian_folder_suggests_reinstalling_the_package(tmp_path, fake):
    debian = idx.write_files(tmp_path / "debian", fake)
    (debian / idx.TEST_LABELS).write_bytes(b"")
    with pytest.raises(DataLoadError, match="corrupt or truncated") as info:
        load(tmp_path / "cache", verify=False)
    assert str(debian / idx.TEST_LABELS) in str(info.value)
    assert "apt-get install --reinstall dataset-fashion-mnist" in str(info.value)
    assert (debian / idx.TEST_LABELS).exists()


def test_a_train_dir_that_is_the_debian_folder_is_never_deleted_from(tmp_path, fake):
    debian = idx.write_files(tmp_path / "debian", fake)
    (debian / idx.TRAIN_IMAGES).write_bytes(b"garbage")
    with pytest.raises(DataLoadError, match="reinstall"):
        load(debian, verify=False)
    assert (debian / idx.TRAIN_IMAGES).read_bytes() == b"garbage"


def test_images_and_labels_with_different_counts_are_rejected(tmp_path, fake):
    fake[idx.TRAIN_LABELS] = idx.idx_labels(np.zeros(N_TRAIN - 1))
    folder = idx.write_files(tmp_path / "data", fake)
    with pytest.raises(DataLoadError, match=f"holds {N_TRAIN} images but .* {N_TRAIN - 1} "):
        load(folder, verify=False)


# --------------------------------------------------------------------------- the real files

HAVE_REAL = all((REAL_DIR / name).is_file() for name in idx.NAMES)
real = pytest.mark.skipif(
    not HAVE_REAL, reason=f"the real Fashion-MNIST files are not in {REAL_DIR} "
                          f"(apt-get install dataset-fashion-mnist)")


@pytest.fixture(scope="module")
def real_sets(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FASHION_MNIST_DIR", raising=False)
        patch.setattr(input_data, "DEBIAN_DIR", str(REAL_DIR))
        patch.setattr(input_data, "MIRRORS", [])
        cache = tmp_path_factory.mktemp("real-cache")
        sets = input_data.read_data_sets(cache, source_url="http://127.0.0.1:9/")
        assert entries(cache) == [], "the Debian files are used in place, not copied"
        return sets


@real
def test_the_real_files_match_the_checksum_table():
    for name in idx.NAMES:
        data = gzip.decompress((REAL_DIR / name).read_bytes())
        sha256, size = input_data.SHA256[name.removesuffix(".gz")]
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (sha256, size), name


@real
def test_the_real_data_splits_55000_5000_10000_with_unit_range_pixels(real_sets):
    assert real_sets.train.images.shape == (55000, 784)
    assert real_sets.validation.images.shape == (5000, 784)
    assert real_sets.test.images.shape == (10000, 784)
    for part in real_sets:
        assert part.images.dtype == np.float32 and part.labels.dtype == np.uint8
        assert part.images.min() == 0.0 and part.images.max() == 1.0


@real
def test_the_real_data_has_6000_images_per_class_for_training_and_1000_for_testing(real_sets):
    train = np.concatenate([real_sets.train.labels, real_sets.validation.labels])
    assert np.bincount(train, minlength=10).tolist() == [6000] * 10
    assert np.bincount(real_sets.test.labels, minlength=10).tolist() == [1000] * 10


KERAS_SCRIPT = textwrap.dedent("""
    import socket, sys
    def offline(*args, **kwargs):
        raise OSError("offline: keras must read its cache, not download")
    socket.getaddrinfo = offline
    socket.socket.connect = offline
    import numpy as np
    from keras.datasets import fashion_mnist
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data()
    np.savez(sys.argv[1], x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
""")


@real
@pytest.mark.slow
def test_the_real_data_equals_what_keras_reads_from_the_same_files(real_sets, tmp_path):
    pytest.importorskip("keras")
    # keras.datasets.fashion_mnist.load_data() looks in $KERAS_HOME/datasets/fashion-mnist/
    # under the official names (KERAS_HOME is read when keras is imported: a subprocess).
    cache = tmp_path / "keras" / "datasets" / "fashion-mnist"
    cache.mkdir(parents=True)
    for name in idx.NAMES:
        (cache / name).symlink_to(REAL_DIR / name)
    env = dict(os.environ, KERAS_HOME=str(tmp_path / "keras"), TF_CPP_MIN_LOG_LEVEL="3")
    out = tmp_path / "keras.npz"
    subprocess.run([sys.executable, "-c", KERAS_SCRIPT, str(out)], env=env, check=True,
                   capture_output=True, timeout=300)
    theirs = np.load(out)

    def pixels(*parts):
        return np.rint(np.concatenate([p.images for p in parts]) * 255).astype(np.uint8)

    ours_train = pixels(real_sets.validation, real_sets.train)  # validation is the head
    np.testing.assert_array_equal(ours_train, theirs["x_train"].reshape(60000, 784))
    np.testing.assert_array_equal(pixels(real_sets.test), theirs["x_test"].reshape(10000, 784))
    np.testing.assert_array_equal(
        np.concatenate([real_sets.validation.labels, real_sets.train.labels]), theirs["y_train"])
    np.testing.assert_array_equal(real_sets.test.labels, theirs["y_test"])


def test_the_loaders_errors_speak_the_learners_language(monkeypatch):
    monkeypatch.setenv("KATA_LANG", "es")
    with pytest.raises(DataLoadError, match="está fuera de rango: elige un entero entre 0 y 3"):
        input_data._validation_cut(5000, 3)
    monkeypatch.setenv("KATA_LANG", "en")
    with pytest.raises(DataLoadError, match="is out of range: choose an integer between 0 and 3"):
        input_data._validation_cut(5000, 3)
