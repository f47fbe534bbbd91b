# One image for every process of the service: the API, the worker, Beat, Flower, the migrations.
# docker-compose.yaml runs it; each process starts with its script in bin/, as the Procfile does.

# --- build: the locked environment, and the admin's static files -------------------------------
FROM python:3.11-slim-bookworm AS build
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
# Dependencies first, from the lock alone, so a code change reuses this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev
COPY src ./src
# A throwaway key: collectstatic only reads the settings; the running service gets its own.
RUN DJANGO_DEBUG=true DJANGO_SECRET_KEY=collectstatic-only .venv/bin/python src/manage.py \
    collectstatic --no-input

# --- runtime: no build tools, not root -----------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home todo
WORKDIR /app
COPY --from=build /app/.venv ./.venv
COPY --from=build /app/var/static ./var/static
COPY pyproject.toml ./
COPY bin ./bin
COPY src ./src
# var/ is the service's writable state: the embedded broker, Beat's schedule, metrics files.
RUN mkdir -p var/beat && chown -R todo:todo var
ENV PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 HTTP_HOST=0.0.0.0 HTTP_PORT=8000
USER todo
EXPOSE 8000
CMD ["bin/web"]
