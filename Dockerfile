# syntax=docker/dockerfile:1
# TaskMaster's image: the web app built with Node, the locked Python dependencies installed
# with uv, and a slim runtime holding only the virtual environment. compose.yaml runs it.
#
# Base images are pinned by tag; where rebuilds must be byte-for-byte repeatable, pin their
# digests too (`python:3.11.16-slim-bookworm@sha256:...`) and let a bot keep them current.

FROM node:20.20.2-bookworm-slim AS web
ENV PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
WORKDIR /build/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
# Vite writes the app into the package's static folder: /build/src/taskmaster/static.
RUN npm run build


FROM python:3.11.16-slim-bookworm AS builder
# uv at the version uv.lock was written with (tests/deploy checks they agree).
ARG UV_VERSION=0.13.10
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
# Bytecode is compiled here, as the runtime never writes it; the cache is a mount of its own,
# hence copies rather than links.
ENV UV_PROJECT_ENVIRONMENT=/opt/taskmaster \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy
WORKDIR /build
# The dependencies first, in a layer of their own that only a change of the lock rebuilds.
# The dev extra is never asked for; --no-dev keeps out a dev dependency group, should one come.
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable --no-install-project
COPY README.md ./
COPY src/ src/
COPY --from=web /build/src/taskmaster/static src/taskmaster/static
# TaskMaster itself, as a wheel holding the web app (pyproject's hatch artifacts).
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-editable


# The same image as the builder's: the environment's python links to its interpreter.
FROM python:3.11.16-slim-bookworm AS runtime
# Nothing installs packages at run time: the base image's pip and setuptools go.
RUN python -m pip uninstall --yes pip setuptools wheel \
    && groupadd --system --gid 10001 taskmaster \
    && useradd --system --uid 10001 --gid taskmaster --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin taskmaster \
    && install --directory --owner=taskmaster --group=taskmaster /var/lib/taskmaster
COPY --from=builder /opt/taskmaster /opt/taskmaster
ENV PATH=/opt/taskmaster/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATA_DIR=/var/lib/taskmaster
WORKDIR /var/lib/taskmaster
# Numeric, so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/health', timeout=2)"]
ENTRYPOINT ["taskmaster"]
CMD ["serve"]
