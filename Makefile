# todo-service: every command a developer needs. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv is bootstrapped with pip when missing, so a machine with only Python can run everything.
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
RUN := $(UV) run --frozen
MANAGE := $(RUN) python src/manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help uv install superuser dev celery-dev celery-beat-dev flower makemigrations migrate run test \
	test-sqlite test-postgres test-rabbitmq lint format fuzz bench-api bench-cleanup bench-tasks

help: ## List the targets
	@grep -E '^[a-z.-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install -q uv || python3 -m pip install -q --user --break-system-packages uv

# Bytecode compiled once at install: every server, worker and script the tests start imports from
# it instead of compiling Django, Celery and FastAPI again (which PYTHONDONTWRITEBYTECODE forces).
install: uv ## Create .venv from uv.lock
	@$(UV) sync --frozen --quiet --compile-bytecode

.env: | uv
	@umask 077 && sed "s|^DJANGO_SECRET_KEY=.*|DJANGO_SECRET_KEY=$$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')|" \
		.env.example > .env && echo "Wrote .env (development settings with a fresh secret key)"

var:
	@mkdir -p var

makemigrations: install .env ## Create migrations for model changes
	$(MANAGE) makemigrations

migrate: install .env var ## Apply migrations
	bin/migrate

dev: migrate ## API only, reloading on code changes
	$(RUN) uvicorn --app-dir src delivery.http.app:app --reload --reload-dir src --host $(HOST) --port $(PORT)

celery-dev: install .env var ## Celery worker, restarting on code changes
	cd src && $(RUN) watchfiles --filter python "celery -A delivery.tasks.app worker --loglevel=INFO" .

celery-beat-dev: install .env var ## Celery Beat, restarting on code changes
	cd src && $(RUN) watchfiles --filter python "celery -A delivery.tasks.app beat --loglevel=INFO" .

flower: install .env var ## Flower, the task dashboard, on http://127.0.0.1:5555 (FLOWER_BASIC_AUTH for a password)
	bin/flower

run: migrate ## Everything at once: API, worker and Beat (no servers needed)
	@echo ""
	@echo "  API            http://$(HOST):$(PORT)/v1/health"
	@echo "  API docs       http://$(HOST):$(PORT)/docs"
	@echo "  Django admin   http://$(HOST):$(PORT)/django/admin/  (create a login: make superuser)"
	@echo "  Metrics        http://$(HOST):$(PORT)/metrics"
	@PYTHONPATH=src $(RUN) python -m configs.observability
	@echo "  Stop with Ctrl+C"
	@echo ""
	HTTP_HOST=$(HOST) HTTP_PORT=$(PORT) $(RUN) honcho start -f Procfile

superuser: migrate ## Create an admin (staff) user interactively
	$(MANAGE) createsuperuser

# The three runs at once: each starts its own servers on free ports, in folders of its own, so they
# share nothing; each run's output is printed whole when it ends (-O), and any failure fails `test`.
test: install ## The whole suite on SQLite + embedded broker and on PostgreSQL + Redis; task suites on RabbitMQ
	$(MAKE) --no-print-directory -j3 -O test-sqlite test-postgres test-rabbitmq

test-sqlite: install
	TEST_BACKEND=sqlite $(RUN) pytest $(PYTEST_ARGS)

test-postgres: install
	TEST_BACKEND=postgres $(RUN) pytest $(PYTEST_ARGS)

# The task suites again with RabbitMQ as the broker (PostgreSQL for data, Redis for results).
RABBITMQ_SUITES := tests/delivery/tasks tests/reliability
test-rabbitmq: install
	TEST_BACKEND=rabbitmq $(RUN) pytest $(PYTEST_ARGS) $(RABBITMQ_SUITES)

lint: install ## ruff, mypy --strict and the import layer contracts
	$(RUN) ruff check src tests bench
	$(RUN) ruff format --check src tests bench
	DJANGO_DEBUG=true $(RUN) mypy src tests bench
	cd src && $(RUN) lint-imports --no-cache --config ../pyproject.toml

fuzz: install ## schemathesis against a live API: every check, stateful, fixed seed (FUZZ_SEED, FUZZ_MAX_EXAMPLES)
	$(RUN) python -m tests.contract.fuzz

format: install ## Fix what ruff can fix
	$(RUN) ruff check --fix src tests bench
	$(RUN) ruff format src tests bench

bench-api: install ## HTTP throughput and latency against a throwaway PostgreSQL
	$(RUN) python -m bench.api

bench-cleanup: install ## todo.cleanup against the per-user loop and one set-based DELETE
	$(RUN) python -m bench.cleanup

bench-tasks: install ## ping round trip and throughput, embedded broker and Redis
	$(RUN) python -m bench.tasks
