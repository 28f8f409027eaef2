# The Jupyter workbench of cnn-kata: JupyterLab with nbgrader's student extensions, the kata,
# TensorFlow (CPU) and Fashion-MNIST, on Debian's Python in a virtual environment. Build and start
# it with docker compose (docker-compose.yml, README). It serves the working copy that compose
# mounts at /home/student/kata, with the same `kata lab` that runs without Docker. The class
# server (hub/, docs/hub.md) starts the same image for each student with `jupyterhub-singleuser`
# (locked at the hub's release) on a volume of their own.
#
# Base: the official debian:bookworm-slim where Docker Hub is reachable; elsewhere
# docker/base-image makes the same image from Debian's packages. Either builds the same way.
# Python packages: exactly requirements.lock, every file hash-checked: from the package index, or
# with no index from wheelhouse/ once docker/wheelhouse has filled it (for build machines whose
# containers cannot reach the index). The wheels stay in the build stage, never in the image.
# The image holds two Python layers: the locked dependencies in /opt/venv (1.7 GB, rebuilt only
# when the lock changes) and the kata in /opt/kata (a few hundred kB, the one rebuilt for a new
# version of the kata).

FROM debian:bookworm-slim AS system
# Debian's Python; tini reaps the kernels' processes; dataset-fashion-mnist: the four official
# files, offline.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 tini dataset-fashion-mnist \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1


FROM system AS venv
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv
# The bracket makes wheelhouse/ optional: without it only the lock is copied.
COPY requirements.lock wheelhous[e] /tmp/wheels/
RUN if ls /tmp/wheels/*.whl >/dev/null 2>&1; then \
        echo "Installing requirements.lock from wheelhouse/, with no index"; \
        set -- --no-index --find-links /tmp/wheels; \
    else \
        echo "Installing requirements.lock from the package index (no wheelhouse/)"; \
        set --; \
    fi \
 && /opt/venv/bin/pip install --require-hashes --only-binary=:all: "$@" --requirement /tmp/wheels/requirements.lock
# TensorFlow's C++ headers (290 MB) serve only to compile custom ops, which the kata never does.
# /opt/kata, where the next stage installs the kata, joins the environment's import path.
RUN site=$(/opt/venv/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))') \
 && rm -r "$site/tensorflow/include" \
 && echo /opt/kata > "$site/cnn-kata.pth"
# What a student uses of nbgrader (assignment list, validate), without the instructor's tools
# (formgrader, course list, create assignment), and no news pop-up. Locked, so that JupyterLab's
# plugin manager cannot turn them back on.
RUN plugins="@jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list @jupyter/nbgrader:create-assignment \
             @jupyterlab/apputils-extension:announcements" \
 && /opt/venv/bin/jupyter server extension disable --sys-prefix \
        nbgrader.server_extensions.formgrader nbgrader.server_extensions.course_list \
 && /opt/venv/bin/jupyter labextension disable --level=sys_prefix $plugins \
 && /opt/venv/bin/jupyter labextension lock --level=sys_prefix $plugins


FROM venv AS kata
# Built with the locked setuptools, with no index; its dependencies are the lock.
COPY pyproject.toml README.md LICENSE input_data.py /tmp/cnn-kata/
COPY kata /tmp/cnn-kata/kata
# A clean copy for the class server's starter (below), before the build writes into the tree.
RUN cp -a /tmp/cnn-kata /tmp/kata-course
RUN /opt/venv/bin/pip install --no-index --no-deps --no-build-isolation --target /opt/kata /tmp/cnn-kata


FROM system
COPY --from=venv /opt/venv /opt/venv
ENV PATH=/opt/kata/bin:/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONDONTWRITEBYTECODE=1 \
    TF_CPP_MIN_LOG_LEVEL=2 \
    FASHION_MNIST_DIR=/usr/share/datasets/fashion-mnist

# A normal user. Compose runs the container as KATA_UID:KATA_GID (the owner of the mounted
# files), which may have no account here: HOME is writable by any uid, so Jupyter, Keras and
# matplotlib still have somewhere to keep their settings.
RUN useradd --create-home --uid 1000 --user-group --shell /bin/bash student \
 && chmod 1777 /home/student \
 && install -d -o student -g student /home/student/kata
ENV HOME=/home/student

COPY --from=kata /opt/kata /opt/kata
# Verify the baked-in dataset now, not in class: the loader checks each file's sha256 and IDX header.
RUN python -c "import input_data; s = input_data.read_data_sets('/usr/share/datasets/fashion-mnist'); \
assert (s.train.num_examples, s.validation.num_examples, s.test.num_examples) == (55000, 5000, 10000), s; \
print('Fashion-MNIST verified:', s.train.num_examples, s.validation.num_examples, s.test.num_examples)"

# The class server (hub/) starts this same image for each student, on a volume of their own that
# is empty at first: the entry point fills it from here when KATA_STARTER names this folder.
# course/ is the kata's own files, copied again at every start so that a new image reaches every
# student; work/ is the student's, only ever added where missing, never over their work.
COPY --from=kata /tmp/kata-course/ /opt/kata-starter/course/
COPY tests/steps /opt/kata-starter/course/tests/steps
COPY conftest.py /opt/kata-starter/course/
COPY exercises /opt/kata-starter/work/exercises
COPY notebooks /opt/kata-starter/work/notebooks

COPY docker/entrypoint /usr/local/bin/kata-entrypoint
USER student
WORKDIR /home/student/kata

EXPOSE 8888
# /api answers without a token (it only reports the server's version), so it suits a health check.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8888/api', timeout=4)"]

# kata-entrypoint refuses root, an unreadable folder and an empty mount, then runs the command.
ENTRYPOINT ["tini", "--", "kata-entrypoint"]
# kata lab refuses --ip 0.0.0.0 unless JUPYTER_TOKEN is set: the container never serves without a token.
# --verbose: Jupyter's log is the container's (docker compose logs lab), and kata lab becomes Jupyter.
CMD ["kata", "lab", "--ip", "0.0.0.0", "--port", "8888", "--no-browser", "--verbose"]
