# One image for web, worker and beat (docker-compose.yml picks the command).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_COMPILE_BYTECODE=1 PATH="/opt/venv/bin:$PATH"

# postgresql-client: pg_dump/pg_restore for `manage.py backup_db` / `restore_db`.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv==0.13.9 && useradd --create-home --uid 1000 coe
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/media && chown coe /app/media
USER coe
EXPOSE 8000
# gunicorn.conf.py holds the settings; Celery workers finish their task on SIGTERM.
STOPSIGNAL SIGTERM
CMD ["gunicorn", "coe_portal.wsgi"]
