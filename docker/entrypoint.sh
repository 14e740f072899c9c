#!/bin/sh
# Apply migrations, check the content and make the first instructor, then serve.
set -e
flask --app app setup
# Threads, not processes, carry the load: each open terminal holds one for as long as it is open
# (at most DOCKLAB_TERMINALS_PER_PROCESS of them), and idle ones cost little memory.
exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-4}" \
  --worker-class gthread --threads "${GUNICORN_THREADS:-32}" --timeout 60 \
  --access-logfile - app:app
