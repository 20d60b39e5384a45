"""Log lines as JSON objects (LOG_FORMAT=json), one per line, for log shippers.

Every line written while a request is being served carries that request's id (the
X-Request-ID its response returns, and the id its writes leave in the audit history),
so an error's traceback can be joined to the request's access line and history.
"""

import contextvars
import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

# The id of the request being served by this thread (set by core.middleware).
current_request_id = contextvars.ContextVar("current_request_id", default=None)

# Attributes every LogRecord has; anything else on a record came from `extra=`. Django
# attaches the HttpRequest to its 4xx/5xx warnings: its repr is the full path with the
# query string (where a caller may have put a key or a name), and the line already has
# the request's id, so it is left out.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName", "request"}

REDACTED = "[redacted]"

# Secrets no log line may carry, whoever logged them: an app that issues secrets
# registers a pattern matching the secret part (partners: the part of an API key after
# its visible prefix).
_secret_patterns: list[re.Pattern] = []

# A query parameter's name is shown as given when it looks like a name, not like data.
_PARAMETER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


def register_secret(pattern):
    _secret_patterns.append(re.compile(pattern))


def redact(text):
    """``text`` with every registered secret replaced by REDACTED."""
    for pattern in _secret_patterns:
        text = pattern.sub(REDACTED, text)
    return text


def redacted_query(query_string, keep=frozenset()):
    """The query string with the value of every parameter not in ``keep`` replaced by
    REDACTED (and the name too when it isn't name-like): what was sent stays readable
    ("kind=person&q=[redacted]") without credentials or screened names."""
    pairs = []
    for name, value in parse_qsl(query_string, keep_blank_values=True, errors="replace"):
        if name in keep:
            pairs.append((name, value))
        else:
            pairs.append((name if _PARAMETER_NAME.match(name) else REDACTED, REDACTED if value else ""))
    return redact(urlencode(pairs, safe="[]"))


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
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


class TextFormatter(logging.Formatter):
    """Human-readable lines for development; the request id when there is one."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = redact(super().format(record))
        request_id = getattr(record, "request_id", None)
        return f"{line} [{request_id}]" if request_id else line
