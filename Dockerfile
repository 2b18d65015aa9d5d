FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core gettext make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml constraints.txt ./
RUN pip install --no-cache-dir -c constraints.txt \
      "Django>=5.2,<5.3" djangorestframework drf-spectacular drf-spectacular-sidecar \
      "celery[redis]" "psycopg[binary,pool]" django-allauth weasyprint django-filter \
      django-environ whitenoise gunicorn requests qrcode openpyxl
COPY . .
RUN msgfmt -o locale/bn/LC_MESSAGES/django.mo locale/bn/LC_MESSAGES/django.po \
    && SECRET_KEY=build-only-0123456789012345678901234567890123456789 ALLOWED_HOSTS=build \
       DATABASE_URL=postgres://build@localhost/build SSLCOMMERZ_BASE_URL=https://sandbox.sslcommerz.com \
       SSLCOMMERZ_STORE_ID=build SSLCOMMERZ_STORE_PASSWORD=build \
       DJANGO_SETTINGS_MODULE=kcc_portal.settings.production python manage.py collectstatic --noinput
ENV DJANGO_SETTINGS_MODULE=kcc_portal.settings.production
EXPOSE 8000
CMD ["gunicorn", "kcc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
