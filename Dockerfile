# Cramp Advice API container image.
#
# Two stages: `builder` turns the project (pyproject.toml) and its dependencies into
# wheels; `runtime` installs only those wheels on a fresh slim base, so no source tree
# or build cache reaches the final image.
#
# Needs BuildKit (the default builder since Docker 23) for `RUN --mount`.
#
#   docker build -t cramp-advice-api:1.0.0 .
#   docker run --rm --read-only -p 8000:8000 -p 9100:9100 cramp-advice-api:1.0.0
#
# The root filesystem can be read-only: the only paths written at run time are
# /metrics (prometheus_client multiprocess files) and /tmp (gunicorn worker
# heartbeat files), both declared as volumes below; Kubernetes mounts emptyDirs there.

# One pin for both stages: the builder's wheels must match the runtime's Python.
ARG PYTHON_IMAGE=python:3.11.17-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /src
COPY pyproject.toml ./
COPY schemas/ schemas/
COPY service/ service/

# The project and every runtime dependency as wheels. All dependencies ship binary
# wheels.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .


FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="cramp-advice-api" \
      org.opencontainers.image.description="Sourced self-care advice and escalation for leg cramps"

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    BIND=0.0.0.0:8000 \
    METRICS_BIND=0.0.0.0:9100 \
    PROMETHEUS_MULTIPROC_DIR=/metrics

# Numeric uid/gid 10001 (outside the range of distro system users); the passwd entry
# only exists so tools that look the user up do not fail. /metrics belongs to it
# because gunicorn empties and refills that directory at start.
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app \
    && install -d -o 10001 -g 10001 -m 0770 /metrics

# Install from the builder's wheels only (--no-index: nothing is fetched here), and
# compile bytecode now because the running container cannot write it.
RUN --mount=type=bind,from=builder,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --compile /wheels/*.whl

# The gunicorn config the CMD names, and the API contract the service serves (it
# reads openapi.yaml from the working directory and refuses to start without it).
WORKDIR /app
COPY gunicorn.conf.py openapi.yaml ./

USER 10001:10001

# 8000: public API (BIND). 9100: /metrics only (METRICS_BIND).
EXPOSE 8000 9100

# Writable without a writable root filesystem; Kubernetes replaces both with emptyDirs.
VOLUME ["/metrics", "/tmp"]

CMD ["gunicorn", "-c", "gunicorn.conf.py", "service.wsgi:app"]
