# journey-warehouse: `make run` builds the demo warehouse, `make test` runs the tests.
# Both set themselves up: a .venv with the pinned dependencies and the dbt manifest.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# The tests also run the project on Apache Spark: the `spark` extra (dbt-spark, pyspark)
# and Java, neither of which `make run` needs.
SPARK_INSTALLED := $(VENV)/.installed-spark
MANIFEST := dbt_project/target/manifest.json
# The manifest is parsed with the warehouse path `journey` will use, so dbt's partial
# parsing stays valid at run time (a changed profile forces a full re-parse).
JOURNEY_WAREHOUSE ?= $(CURDIR)/data/warehouse.duckdb
export JOURNEY_WAREHOUSE
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -path dbt_project/logs -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.md' \) -print)

.PHONY: install manifest browser java run test test-spark-units test-fast dev lint format clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	@touch $@

$(SPARK_INSTALLED): $(INSTALLED)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,spark]'
	@touch $@

# The dbt manifest is built here, at install time, never at import time.
manifest: $(MANIFEST)

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .
	@touch $@

run: $(MANIFEST)
	$(BIN)/journey generate --if-empty
	$(BIN)/journey refresh

# The report's browser test needs a headless chromium; the script installs Debian's
# where it can and says so where it cannot (the test then skips with the reason).
browser:
	@sh tests/reports/install_chromium.sh

# The Spark tests need Java; the script installs Debian's JRE 17 where it can.
java:
	@sh tests/spark/install_java.sh

# One worker per core (pytest-xdist); a test module stays on one worker, so its
# module-scoped builds are made once.
PYTEST_PARALLEL ?= -n auto --dist loadfile

test: $(MANIFEST) browser java $(SPARK_INSTALLED)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

# dbt's unit tests on Spark (minutes more than `make test`'s budget holds; run before a
# release): an empty build on Spark, then every unit test against it.
test-spark-units: $(MANIFEST) java $(SPARK_INSTALLED)
	$(BIN)/python tests/spark/run_unit_tests.py

test-fast: $(MANIFEST)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow"

dev: $(MANIFEST)
	$(BIN)/journey dev

# sqlfluff renders the models with dbt (templater = dbt in .sqlfluff), in its own
# target folder and with its own warehouse path: linting never touches the manifest
# `journey` runs from, nor the warehouse.
SQLFLUFF_ENV := JOURNEY_WAREHOUSE=$(CURDIR)/dbt_project/target/sqlfluff/lint.duckdb \
	DBT_TARGET_PATH=$(CURDIR)/dbt_project/target/sqlfluff

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@mkdir -p dbt_project/target/sqlfluff
	$(SQLFLUFF_ENV) $(BIN)/sqlfluff lint dbt_project/models --processes 2

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
