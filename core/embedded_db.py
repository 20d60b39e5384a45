"""The embedded PostgreSQL used when DATABASE_URL is unset.

pgserver ships PostgreSQL 16 binaries in a wheel, so a fresh machine needs nothing
installed. The server is left running after the process exits (cleanup_mode=None)
so that the dev server, management commands and tests share one instance under
var/pgdata; pgserver reattaches to it when it is already up.
"""

import os
import warnings
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = BASE_DIR / "var" / "pgdata"


def _pgserver():
    os.environ.setdefault("XDG_RUNTIME_DIR", str(BASE_DIR / "var" / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver
    return pgserver


def bin_dir():
    """The PostgreSQL 16 programs pgserver ships (pg_dump, pg_restore, pg_ctl...)."""
    return Path(_pgserver().__file__).parent / "pginstall" / "bin"


def database_url():
    pgserver = _pgserver()
    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PGDATA, cleanup_mode=None)
    return server.get_uri()


def local_secret_key():
    """A per-checkout random SECRET_KEY for development, created on first use."""
    import secrets

    path = BASE_DIR / "var" / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()
