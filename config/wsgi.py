import os

from django.core.wsgi import get_wsgi_application

from core.hygiene import keep_raw_path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = keep_raw_path(get_wsgi_application())
