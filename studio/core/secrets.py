"""Credentials for the AI and ad-platform services, kept in a keyring and nowhere else.

Backend choice: the OS keyring (Secret Service, macOS Keychain, Windows Credential
Locker) when one works; else an encrypted file (keyrings.cryptfile) unlocked with a
master password the user sets; never a plaintext file. STUDIO_KEYRING=file forces the
encrypted file (tests, machines whose OS keyring is not wanted).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors

from studio.core.errors import BadInput, SecretsUnavailable
from studio.core.paths import user_config_dir

KEYRING_SERVICE = "Conext Studio"
_CHECK_ENTRY = "_master_password_check"


@dataclass(frozen=True)
class ServiceSpec:
    id: str
    title: str
    fields: tuple[str, ...]  # one field: the secret is a plain string; several: a JSON object
    hint: str


SERVICES: dict[str, ServiceSpec] = {
    s.id: s
    for s in (
        ServiceSpec("anthropic", "Anthropic", ("api_key",), "An API key from console.anthropic.com (sk-ant-…)."),
        ServiceSpec("openai", "OpenAI", ("api_key",), "An API key from platform.openai.com (sk-…)."),
        ServiceSpec("meta", "Meta (Facebook and Instagram ads)", ("access_token",), "A system-user access token from Meta Business Settings."),
        ServiceSpec(
            "google_ads",
            "Google Ads",
            ("developer_token", "client_id", "client_secret", "refresh_token", "login_customer_id"),
            "The developer token from the API Center and an OAuth client with a refresh token.",
        ),
    )
}


class _Redactor(logging.Filter):
    """Keeps every secret the studio has handled out of its log files."""

    values: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.values:
            text = record.getMessage()
            for value in self.values:
                if value and value in text:
                    text = text.replace(value, "[secret]")
            record.msg, record.args = text, ()
        return True


REDACTOR = _Redactor()


def _remember(value: str | None) -> None:
    if value and len(value) >= 6:
        REDACTOR.values.add(value)
        try:
            REDACTOR.values.update(v for v in json.loads(value).values() if isinstance(v, str) and len(v) >= 6)
        except (ValueError, AttributeError):
            pass


def os_keyring():
    """The OS keyring backend if one works here, else None."""
    if os.environ.get("STUDIO_KEYRING") == "file":
        return None
    for backend in sorted(keyring.backend.get_all_keyring(), key=lambda k: k.priority, reverse=True):
        module = type(backend).__module__
        if module.startswith("keyring.backends.") and module.rsplit(".", 1)[-1] not in ("fail", "null", "chainer"):
            return backend
    return None


def default_keyring_file() -> Path:
    return user_config_dir() / "keys.cfg"


class SecretStore:
    def __init__(self, backend=None, *, file_path: Path | None = None):
        self._file_path = Path(file_path or default_keyring_file())
        self._backend = backend if backend is not None else os_keyring()
        self._unlocked = self._backend is not None
        # The encrypted file derives a key (Argon2, about a second) for every entry read, so what was
        # read stays here until the file changes (another process may write it: its size and time tell).
        self._read: dict[str, str | None] = {}
        self._read_stamp = None

    @property
    def file_path(self) -> Path:
        """The encrypted key file (used where there is no OS keyring)."""
        return self._file_path

    @property
    def backend_name(self) -> str:
        if self._uses_file:
            return f"encrypted file {self._file_path}"
        return type(self._backend).__name__

    @property
    def _uses_file(self) -> bool:
        return self._backend is None or type(self._backend).__name__ == "CryptFileKeyring"

    @property
    def needs_master_password(self) -> bool:
        return not self._unlocked

    @property
    def has_master_password(self) -> bool:
        """False until the user has set one (the encrypted file does not exist yet)."""
        return self._file_path.exists()

    def unlock(self, password: str) -> None:
        """Open (or, the first time, create) the encrypted key file. Wrong password: BadInput."""
        try:
            from keyrings.cryptfile.cryptfile import CryptFileKeyring
        except ImportError:
            raise SecretsUnavailable(
                "No keyring is available: this system has no OS keyring and the encrypted-file "
                "keyring (keyrings.cryptfile) is not installed. Reinstall Conext Studio."
            ) from None
        if not password:
            raise BadInput("Enter the master password.")
        existed = self._file_path.exists()
        if not existed and len(password) < 8:
            raise BadInput("Choose a master password of at least 8 characters.")
        self._file_path.parent.mkdir(parents=True, exist_ok=True)
        backend = CryptFileKeyring()
        backend.file_path = str(self._file_path)
        try:
            backend.keyring_key = password  # checks the password against the file's reference
            ok = not existed or backend.get_password(KEYRING_SERVICE, _CHECK_ENTRY) == "ok"
        except ValueError:  # "MAC check failed": another password
            ok = False
        if existed:
            if not ok:
                raise BadInput("That master password is not right. Try again (it is the one you set when you first added a key).")
        else:
            backend.set_password(KEYRING_SERVICE, _CHECK_ENTRY, "ok")
            os.chmod(self._file_path, 0o600)
        self._backend, self._unlocked = backend, True
        self._read, self._read_stamp = {}, None

    def _need(self):
        if not self._unlocked:
            raise SecretsUnavailable("The key store is locked: enter the master password in Settings ▸ Accounts & keys.")
        return self._backend

    def get(self, service: str) -> str | None:
        backend = self._need()
        if self._uses_file and self._file_stamp() == self._read_stamp and service in self._read:
            return self._read[service]
        value = backend.get_password(KEYRING_SERVICE, _spec(service).id)
        _remember(value)
        self._keep(service, value)
        return value

    def _file_stamp(self):
        try:
            stat = self._file_path.stat()
        except OSError:
            return None
        return stat.st_size, stat.st_mtime_ns

    def _keep(self, service: str, value: str | None) -> None:
        """Remember what the file holds for service now (only for the encrypted file)."""
        if not self._uses_file:
            return
        stamp = self._file_stamp()
        if stamp != self._read_stamp:
            self._read, self._read_stamp = {}, stamp
        self._read[service] = value

    def get_fields(self, service: str) -> dict[str, str]:
        value = self.get(service)
        if value is None:
            return {}
        spec = _spec(service)
        return json.loads(value) if len(spec.fields) > 1 else {spec.fields[0]: value}

    def set(self, service: str, value: str | dict) -> None:
        spec = _spec(service)
        if isinstance(value, dict):
            missing = [f for f in spec.fields if f != "login_customer_id" and not str(value.get(f, "")).strip()]
            if missing:
                raise BadInput(f"{spec.title} needs {', '.join(missing)}.")
            value = json.dumps({f: str(value.get(f, "")).strip() for f in spec.fields}) if len(spec.fields) > 1 else str(value[spec.fields[0]]).strip()
        value = value.strip()
        if not value:
            raise BadInput(f"The {spec.title} key is empty.")
        _remember(value)
        try:
            self._need().set_password(KEYRING_SERVICE, spec.id, value)
        except keyring.errors.KeyringError as exc:
            raise SecretsUnavailable(f"The keyring refused to store the key: {exc}") from None
        self._keep(service, value)  # the file changed: the rest of what was read is read again

    def delete(self, service: str) -> None:
        try:
            self._need().delete_password(KEYRING_SERVICE, _spec(service).id)
        except keyring.errors.PasswordDeleteError:
            pass
        self._read.pop(service, None)

    def has(self, service: str) -> bool:
        return self.get(service) is not None


def _spec(service: str) -> ServiceSpec:
    if service.startswith("server:"):  # a team library's database server (studio.core.team)
        return ServiceSpec(service, f"Team library server {service[7:]}", ("user", "password"),
                           "Your user name and password on the team library's PostgreSQL server.")
    try:
        return SERVICES[service]
    except KeyError:
        raise BadInput(f"Unknown service {service!r}; known: {', '.join(SERVICES)}.") from None


@dataclass(frozen=True)
class KeyTest:
    ok: bool
    message: str


def test_key(service: str, fields: dict[str, str], *, endpoint: str | None = None, timeout: float = 10.0) -> KeyTest:
    """Ask the service whether the key works, through its own SDK. endpoint overrides the
    service's address (a proxy, or a local test server)."""
    spec = _spec(service)
    try:
        if service == "anthropic":
            import anthropic

            client = anthropic.Anthropic(api_key=fields["api_key"], base_url=endpoint, timeout=timeout, max_retries=0)
            models = client.models.list(limit=5)
            return KeyTest(True, f"Anthropic accepted the key ({len(models.data)} models visible).")
        if service == "openai":
            import openai

            client = openai.OpenAI(api_key=fields["api_key"], base_url=endpoint, timeout=timeout, max_retries=0)
            models = client.models.list()
            return KeyTest(True, f"OpenAI accepted the key ({len(models.data)} models visible).")
        if service == "meta":
            from facebook_business.adobjects.user import User
            from facebook_business.api import FacebookAdsApi, FacebookSession

            session = FacebookSession(access_token=fields["access_token"], timeout=timeout)
            if endpoint:
                session.GRAPH = endpoint.rstrip("/")
            api = FacebookAdsApi(session)
            me = User(fbid="me", api=api).api_get(fields=["id", "name"])
            return KeyTest(True, f"Meta accepted the token (user {me.get('name') or me.get('id')}).")
        if service == "google_ads":
            from google.ads.googleads.client import GoogleAdsClient

            config = {**fields, "use_proto_plus": True}
            if not config.get("login_customer_id"):
                config.pop("login_customer_id", None)
            if endpoint:
                config["endpoint"] = endpoint
            client = GoogleAdsClient.load_from_dict(config)
            customers = client.get_service("CustomerService").list_accessible_customers(timeout=timeout)
            return KeyTest(True, f"Google Ads accepted the credentials ({len(customers.resource_names)} accounts).")
    except Exception as exc:  # any SDK failure becomes a message; the secret never goes in it
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        for value in fields.values():
            if value:
                text = text.replace(value, "[secret]")
        return KeyTest(False, f"{spec.title} did not accept the key or could not be reached: {text}")
    return KeyTest(False, f"No test is available for {spec.title}.")
