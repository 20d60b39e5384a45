"""Log lines as JSON objects (LOG_FORMAT=json), one per line, for log shippers.

Every line written while a request is being served carries that request's id (the
X-Request-ID its response returns, and the id its writes leave in the audit history),
so an error's traceback can be joined to the request's access line and history.
"""

import contextvars
import json
import logging
from datetime import UTC, datetime

# The id of the request being served by this thread (set by core.middleware).
current_request_id = contextvars.ContextVar("current_request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class RequestIdFilter(logging.Filter):
    """Put the current request's id on every record (None outside requests). Django
    logs a failed request's status after the middleware has returned, with the
    request attached: its id is taken from there."""

    def filter(self, record):
        if getattr(record, "request_id", None) is None:
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in vars(record).items() if key not in _STANDARD)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """Human-readable lines for development; the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = super().format(record)
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line
