.PHONY: run test stop lint format messages bench backup restore clean-db

run:  ## install what is missing, migrate, seed, serve http://127.0.0.1:8000
	scripts/run.sh

test:  ## install what is missing, lint, run every test against PostGIS and Chromium
	scripts/test.sh $(ARGS)

stop:  ## stop the project-local PostgreSQL cluster
	scripts/db.sh stop

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

messages:  ## refresh the translation catalogues after changing strings
	.venv/bin/python manage.py makemessages -l vi -l en --ignore '.venv/*' --ignore 'bench/*'
	.venv/bin/python manage.py makemessages -d djangojs -l vi -l en --ignore '.venv/*' --ignore 'staticfiles/*' --ignore '.local/*'

bench:  ## run the benchmarks (see docs/benchmarks.md)
	scripts/bench.sh $(ARGS)

backup:  ## the database, media folders and PIN key into .local/backups/<date-time> (or TO=folder)
	scripts/backup.sh $(TO)

restore:  ## restore FROM=folder (a backup); REPLACE=1 replaces a database or media that has data
	scripts/restore.sh "$(FROM)" $(if $(REPLACE),--replace)

clean-db:  ## stop and delete the local cluster (all local data is lost)
	scripts/db.sh stop; rm -rf .local/pg
