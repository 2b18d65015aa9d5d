# The portal's production image: gunicorn on :8000 as an unprivileged user. The same image
# runs the Celery worker and beat (docker-compose.yml). Dependencies come from the one list
# the Makefile uses: pyproject.toml, pinned by constraints.txt.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The Makefile's SYS_PACKAGES: Pango and HarfBuzz for WeasyPrint, Bengali fonts, gettext.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core gettext \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user with a fixed numeric id (so orchestrators can check runAsNonRoot).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
       --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first (a layer that changes only with pyproject.toml or constraints.txt),
# exactly as `make venv` installs them, without the dev extra.
COPY pyproject.toml constraints.txt README.md ./
RUN pip install --no-cache-dir -c constraints.txt . \
    && rm -rf build *.egg-info

COPY . .

# Translations (as `make messages`) and static files, built as root and read-only at run
# time; only var/ (uploads, cache and broker folders of the embedded mode) is writable.
RUN msgfmt --check-format -o locale/bn/LC_MESSAGES/django.mo locale/bn/LC_MESSAGES/django.po \
    && SECRET_KEY=build-only-0123456789012345678901234567890123456789 ALLOWED_HOSTS=build \
       DATABASE_URL=postgres://build@localhost/build SITE_URL=https://build.invalid \
       SSLCOMMERZ_BASE_URL=https://sandbox.sslcommerz.com \
       SSLCOMMERZ_STORE_ID=build SSLCOMMERZ_STORE_PASSWORD=build \
       DJANGO_SETTINGS_MODULE=kcc_portal.settings.production python manage.py collectstatic --noinput \
    && mkdir -p var/media var/cache var/broker/out var/broker/processed var/broker/control \
    && chown app:app var var/media var/cache var/broker var/broker/out var/broker/processed \
       var/broker/control

ENV DJANGO_SETTINGS_MODULE=kcc_portal.settings.production
USER 10001:10001
EXPOSE 8000

# GET /healthz answers 200 while the database, cache and broker answer, 503 otherwise
# (urlopen raises on anything but 2xx). The request carries the first ALLOWED_HOSTS
# entry as its Host, so Django does not refuse it as a disallowed host; /healthz is
# exempt from the HTTPS redirect. Only the web container serves it: docker-compose.yml
# turns the check off for the worker, beat and migrate containers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; r.urlopen(r.Request('http://127.0.0.1:8000/healthz', headers={'Host': h}), timeout=4)"]

CMD ["gunicorn", "kcc_portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", "--threads", "4", "--access-logfile", "-"]
