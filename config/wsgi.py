import os

from django.core.wsgi import get_wsgi_application

from core.env import env_int
from core.hygiene import keep_raw_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def send_timeout(application, seconds):
    """gunicorn's threaded workers hand each request a blocking socket without a
    timeout, so a client that stops reading would hold its thread for good. With one,
    a send that makes no progress for ``seconds`` fails, gunicorn closes the connection
    and the thread serves others (the worker sets the socket blocking again, without a
    timeout, before each request, so this applies per request)."""

    def wrapped(environ, start_response):
        sock = environ.get("gunicorn.socket")
        if sock is not None and seconds > 0:
            sock.settimeout(seconds)
        return application(environ, start_response)

    return wrapped


application = send_timeout(keep_raw_path(get_wsgi_application()), env_int("SEND_TIMEOUT", 60))
