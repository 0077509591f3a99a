# The authentication API under uvicorn. Multi-stage: dependencies are installed into a venv in
# the build stage; the final stage gets the venv and app/ only (no pip, no build tools) and runs
# as an unprivileged user.
#
#   docker build -t cognito-auth .
#   docker run -p 8000:8000 -e COGNITO_USER_POOL_ID=... -e COGNITO_CLIENT_ID=... \
#     -e COGNITO_CLIENT_SECRET_SOURCE=describe -e AWS_REGION=... (and AWS credentials) \
#     -e FORWARDED_ALLOW_IPS=<proxy addresses> -e TRUSTED_PROXIES=<the same> cognito-auth
#   (README "Docker" has the full command and every setting.)
#
# PYTHON_IMAGE lets deploy/check_docker.sh build from a locally made Debian base (no registry).
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore
WORKDIR /build
COPY deploy/requirements-lambda.txt deploy/requirements-container.txt ./
RUN python3 -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --only-binary=:all: -r requirements-container.txt \
    && /opt/venv/bin/pip uninstall --yes pip setuptools
COPY app /srv/app
# Bytecode compiled once here: the final image's files are read-only to the service user.
RUN /opt/venv/bin/python -m compileall -q /opt/venv /srv/app

FROM ${PYTHON_IMAGE}
RUN groupadd --gid 10001 app \
    && useradd --uid 10001 --gid app --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
COPY --from=build /srv/app /srv/app/app
WORKDIR /srv/app
# FORWARDED_ALLOW_IPS: X-Forwarded-For/-Proto are believed only from these addresses (uvicorn
# reads the variable); set it to your proxy's or load balancer's addresses, never '*'.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FORWARDED_ALLOW_IPS=127.0.0.1
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen('http://127.0.0.1:8000/openapi.json', timeout=4)"]
CMD ["uvicorn", "app.asgi:app", "--host", "0.0.0.0", "--port", "8000", "--proxy-headers", "--no-server-header"]
