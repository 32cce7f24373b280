# Handoff's image: the locked dependencies (uv.lock) in a virtualenv, run by a user without privileges.
# docker build -t handoff .   ·   docker compose up (compose.yaml: Handoff + PostgreSQL)
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
# The dependencies first, in a layer of their own: a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-install-project --no-editable
COPY README.md ./
COPY bot bot
COPY handlers handlers
COPY jobs jobs
COPY storage storage
RUN uv sync --locked --no-editable

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 handoff && mkdir /data && chown handoff /data
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 DATABASE_URL=sqlite:////data/handoff.db
USER handoff
WORKDIR /data
VOLUME /data
EXPOSE 3000
# /healthz answers 200 when the database answers (see README, "HTTP mode and Socket Mode").
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
CMD ["handoff", "run"]
