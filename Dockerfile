# The Jupyter workbench of cnn-kata: JupyterLab with nbgrader's extensions, the kata installed from
# its own pyproject.toml and Fashion-MNIST baked in. Build and run it with docker compose (see
# docker-compose.yml and README); the server is the same `kata lab` that runs without Docker.
#
# The base image is pinned by version. For a byte-for-byte reproducible build, also pin its digest:
#   docker buildx imagetools inspect python:3.11.11-slim-bookworm   # prints "Digest: sha256:…"
# and write FROM python:3.11.11-slim-bookworm@sha256:<that digest>.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    FASHION_MNIST_DIR=/usr/share/datasets/fashion-mnist

# Debian's dataset-fashion-mnist: the four official files, offline; tini reaps the kernels' processes.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dataset-fashion-mnist tini \
 && rm -rf /var/lib/apt/lists/*

# The kata and every dependency it declares (TensorFlow, Keras, JupyterLab, nbgrader, …), from
# pyproject.toml: nothing is pip-installed from a notebook.
COPY . /opt/cnn-kata
RUN pip install /opt/cnn-kata \
 && jupyter labextension list 2>&1 | grep -q "@jupyter/nbgrader.*enabled" \
 && jupyter server extension list 2>&1 | grep -q "nbgrader.server_extensions.assignment_list.*enabled"

# Verify the baked-in dataset now, not in class: the loader checks each file's sha256 and IDX header.
RUN python -c "import input_data; s = input_data.read_data_sets('/usr/share/datasets/fashion-mnist'); \
assert (s.train.num_examples, s.validation.num_examples, s.test.num_examples) == (55000, 5000, 10000), s; \
print('Fashion-MNIST verified:', s.train.num_examples, s.validation.num_examples, s.test.num_examples)"

# A normal user. Its home is writable by any uid, so docker-compose's KATA_UID (your host uid,
# owner of the mounted files) works too. The kata copy below is used when nothing is mounted.
RUN useradd --create-home --uid 1000 --user-group --shell /bin/bash student \
 && chmod 1777 /home/student
COPY --chown=student:student . /home/student/kata
# Compose may run the container under the host's uid, which has no passwd entry: HOME must
# still point somewhere writable for Jupyter, Keras and matplotlib.
ENV HOME=/home/student
USER student
WORKDIR /home/student/kata

EXPOSE 8888
# /api answers without a token (it only reports the server's version), so it suits a health check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8888/api', timeout=4)"]

ENTRYPOINT ["tini", "--"]
# kata lab refuses --ip 0.0.0.0 unless JUPYTER_TOKEN is set: the container never serves without a token.
CMD ["kata", "lab", "--ip", "0.0.0.0", "--port", "8888", "--no-browser"]
