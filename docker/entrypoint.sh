#!/bin/sh
# Apply migrations, check the content and make the first instructor, then serve.
set -e
flask --app app setup
exec gunicorn --bind "0.0.0.0:${PORT:-8000}" --workers "${WEB_CONCURRENCY:-4}" \
  --threads "${GUNICORN_THREADS:-4}" --timeout 60 --access-logfile - app:app
