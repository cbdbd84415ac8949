# Hà Giang Origin web image. Build: docker build -t hagiang-origin .
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=backend.settings STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media \
    PRIVATE_MEDIA_ROOT=/data/private

RUN apt-get update \
 && apt-get install -y --no-install-recommends gdal-bin libgeos-c1v5 gettext curl fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app --uid 10001 hagiang

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN find locale -name '*.po' -execdir msgfmt -o django.mo {} \; \
 && DJANGO_SECRET_KEY=build-only-build-only-build-only-build-only-build-only \
    DATABASE_URL=postgis://build@localhost/build python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /data/media /data/private && chmod 700 /data/private && chown -R hagiang /data

USER hagiang
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD curl -fsS http://127.0.0.1:8000/healthz || exit 1
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
