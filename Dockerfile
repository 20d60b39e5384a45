FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# The application's dependencies at the versions requirements.lock pins, without the
# test tools the lock also holds.
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -c requirements.lock .

COPY . .
# collectstatic needs settings but no database: give it a throwaway key and URL.
RUN SECRET_KEY=collectstatic-only-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
    DATABASE_URL=postgres://unused@localhost/unused STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --no-input -v0

RUN useradd --system --uid 10001 app && chown -R app /app
USER app
ENV STATIC_ROOT=/app/staticfiles EXPORT_ROOT=/app/var/exports
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn -c gunicorn.conf.py config.wsgi:application --bind 0.0.0.0:8000"]
