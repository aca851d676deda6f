"""Team libraries: the library's database on a PostgreSQL server, its files in a shared folder.

The shared folder (a network share every workstation mounts) holds `team-library.json`, which
names the database, and the files a personal library keeps in its own folder: media/,
thumbs/, kata-plates/, proxies/. So opening the shared folder, or the database URL (the
server knows its folder), opens the team library, and job workers open it the same way.

Per workstation, under the user-data dir, each team library has a small local folder: the
lock that keeps one studio window per library on this machine, and a read-only offline copy
of the database for when the server cannot be reached.

Logins live in the keyring (entry `server:HOST:PORT/DB`: user and password), never in the
pointer file, the database or a URL on the command line.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError

from studio.core.errors import BadInput, LibraryError
from studio.core.paths import APP_NAME

POINTER = "team-library.json"
FOLDER_SETTING = "team.folder"  # where the server's team keeps its files (settings table)
OFFLINE_COPY = "offline.db"


class LibraryUnreachable(LibraryError):
    """The team server did not answer. `offline_copy`: the local read-only copy, if there is one."""

    def __init__(self, message: str, server: Server, offline_copy: Path | None = None):
        super().__init__(message)
        self.server = server
        self.offline_copy = offline_copy


class LibraryLoginFailed(LibraryError):
    """The server refused the login: `server` asks for another one (`user`: the one refused)."""

    exit_code = 2

    def __init__(self, message: str, server: Server, user: str):
        super().__init__(message)
        self.server, self.user = server, user


class SharedFolderMissing(LibraryError):
    pass


class LibraryReadOnly(LibraryError):
    pass


@dataclass(frozen=True)
class Server:
    """A team library's database: where it is, without who logs in."""

    host: str
    port: int
    database: str
    user: str | None = None  # the URL's user, when it names one

    @property
    def key(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"

    @property
    def url(self) -> str:
        """The address as users write it (no password, ever)."""
        user = f"{self.user}@" if self.user else ""
        return f"postgresql://{user}{self.key}"

    def engine_url(self, user: str | None, password: str | None) -> URL:
        return URL.create("postgresql+psycopg", username=user, password=password, host=self.host,
                          port=self.port, database=self.database)


def is_server_url(text) -> bool:
    return isinstance(text, str) and re.match(r"postgres(ql)?(\+psycopg)?://", text) is not None


def parse_server(url: str) -> Server:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInput(f"{url!r} is not a database address. Write it as postgresql://[USER@]HOST[:PORT]/DATABASE.") from None
    if parsed.get_backend_name() != "postgresql" or not parsed.host or not parsed.database:
        raise BadInput(f"{url!r} is not a PostgreSQL address. Write it as postgresql://[USER@]HOST[:PORT]/DATABASE.")
    if parsed.password:
        raise BadInput("Leave the password out of the address: store it in the keyring with "
                       "`studio library login URL` (or Settings ▸ Accounts & keys), where it is kept encrypted.")
    return Server(parsed.host, parsed.port or 5432, parsed.database, parsed.username)


def _pointer(folder: Path) -> dict | None:
    path = Path(folder) / POINTER
    if not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        parse_server(document["database"])
        return document
    except (ValueError, KeyError, TypeError):
        raise LibraryError(f"{path} is damaged: it should be JSON like {{\"database\": \"postgresql://host/db\"}}. "
                           "Copy it from another workstation of your team, or write it again.") from None


def read_pointer(folder: Path) -> Server | None:
    document = _pointer(folder)
    return parse_server(document["database"]) if document else None


def media_url(folder: Path) -> str | None:
    """The object store the team's media are in (s3://…, gs://…), when not in the folder itself."""
    document = _pointer(folder)
    return document.get("media") if document else None


def write_pointer(folder: Path, server: Server, media: str | None = None) -> Path:
    """Atomically: a half-written pointer would make the folder look like a broken library."""
    path = Path(folder) / POINTER
    tmp = path.with_name(path.name + ".partial")
    document = {"database": Server(server.host, server.port, server.database).url, **({"media": media} if media else {})}
    tmp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def local_dir(server: Server) -> Path:
    """This workstation's own folder for a team library (lock, offline copy)."""
    slug = re.sub(r"[^\w.-]+", "_", server.key)
    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "Team libraries" / slug
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# ---- logins --------------------------------------------------------------------------------
def login_entry(server: Server) -> str:
    return f"server:{server.key}"


def save_login(secrets, server: Server, user: str, password: str) -> None:
    """Keep the login in the keyring once the server has accepted it: a wrong one is refused
    (LibraryLoginFailed, or LibraryUnreachable) and the login stored before stays."""
    if not user.strip() or not password:
        raise BadInput("Enter the user name and the password the server's administrator gave you.")
    _connect(server, user.strip(), password).dispose()
    secrets.set(login_entry(server), {"user": user.strip(), "password": password})


def login_for(server: Server, secrets) -> tuple[str | None, str | None]:
    """(user, password): the keyring's login for this server; else the URL's user (or none) and
    no password, which PostgreSQL's client library completes as it always does ($PGUSER or the
    login name, a ~/.pgpass, a server that trusts local users)."""
    fields = secrets.get_fields(login_entry(server)) if secrets is not None else {}
    if fields.get("user"):
        return fields["user"], fields.get("password") or None
    return server.user, None


def connect_engine(server: Server, secrets) -> Engine:
    """An engine on the server, with the connection checked now: each way it can fail is told
    apart, in words a user can act on."""
    return _connect(server, *login_for(server, secrets))


def _connect(server: Server, user: str | None, password: str | None) -> Engine:
    from sqlalchemy.exc import OperationalError

    from studio.core.db.engine import make_engine

    engine = make_engine(server.engine_url(user, password))
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        raise _connect_error(server, user or os.environ.get("PGUSER") or _login_name(), str(exc.orig)) from None
    return engine


def _login_name() -> str:
    import getpass

    return getpass.getuser()


def _connect_error(server: Server, user: str, detail: str) -> LibraryError:
    text = detail.lower()
    if "password authentication failed" in text or "no password supplied" in text or "role" in text and "does not exist" in text:
        return LibraryLoginFailed(
            f"The server {server.key} refused the login {user!r}: wrong user name or password. "
            f"Store the right ones with `studio library login {server.url} --user NAME`.", server, user)
    if "database" in text and "does not exist" in text:
        return LibraryError(f"There is no database {server.database!r} on {server.host}:{server.port}. "
                            "Check the address, or ask the server's administrator to create it (createdb).")
    copy = local_dir(server) / OFFLINE_COPY
    return LibraryUnreachable(
        f"The team library server {server.host}:{server.port} cannot be reached ({detail.strip().splitlines()[-1]}). "
        + ("Working from this computer's offline copy (read-only) until it is back."
           if copy.is_file() else "Check the network or VPN connection, then open the library again."),
        server, copy if copy.is_file() else None)


def shared_folder_missing(folder: Path | str, server: Server) -> SharedFolderMissing:
    return SharedFolderMissing(
        f"The team library's shared folder {folder} is not there: the network share is probably not mounted. "
        f"Mount it (it holds {POINTER} and the team's media) and open the library again; "
        f"the database on {server.key} was not changed.")


def remember_folder(server: Server, folder: Path) -> None:
    """Where this workstation found the shared folder: the offline copy is opened beside it."""
    note = local_dir(server) / "folder.txt"
    if not note.is_file() or note.read_text(encoding="utf-8") != str(folder):
        note.write_text(str(folder), encoding="utf-8")


def remembered_folder(server: Server) -> Path | None:
    note = local_dir(server) / "folder.txt"
    return Path(note.read_text(encoding="utf-8")) if note.is_file() else None
