"""Credentials in the real encrypted-file keyring; key tests through the real SDKs
against local fake servers."""

from __future__ import annotations

import logging

import pytest

from studio.core.errors import BadInput, SecretsUnavailable
from studio.core.secrets import REDACTOR, SecretStore, test_key as check_key
from tests.fakes import fake_services

SECRET = "sk-test-4f8a9c2e1d7b"


@pytest.fixture
def store(tmp_path):
    s = SecretStore(file_path=tmp_path / "keys.cfg")
    s.unlock("correct horse battery")
    return s


def test_file_keyring_round_trip_and_never_plaintext(store, tmp_path):
    assert "encrypted file" in store.backend_name
    store.set("openai", SECRET)
    store.set("google_ads", {"developer_token": "devtok123456", "client_id": "cid", "client_secret": "csecret99", "refresh_token": "rtok123456"})
    again = SecretStore(file_path=tmp_path / "keys.cfg")
    assert again.needs_master_password
    again.unlock("correct horse battery")
    assert again.get("openai") == SECRET
    assert again.get_fields("google_ads")["refresh_token"] == "rtok123456"
    raw = (tmp_path / "keys.cfg").read_text()
    assert SECRET not in raw and "rtok123456" not in raw
    again.set("openai", "sk-replaced-000000")
    assert again.get("openai") == "sk-replaced-000000"
    again.delete("openai")
    assert not again.has("openai")


def test_a_key_read_once_is_not_decrypted_again_until_the_file_changes(store, tmp_path, monkeypatch):
    """Each entry read from the encrypted file costs an Argon2 derivation (about a second): a second
    read of the same key is served from memory, but a change another process writes is seen."""
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    derivations = []
    derive = CryptFileKeyring._create_cipher
    monkeypatch.setattr(CryptFileKeyring, "_create_cipher", lambda *a, **k: derivations.append(1) or derive(*a, **k))
    store.set("openai", SECRET)
    derivations.clear()
    assert store.get("openai") == SECRET and store.get("openai") == SECRET and store.has("openai")
    assert derivations == []  # what set wrote is known without reading it back

    other = SecretStore(file_path=tmp_path / "keys.cfg")  # another process, as the command line would be
    other.unlock("correct horse battery")
    other.set("openai", "sk-from-elsewhere-1234")
    derivations.clear()
    assert store.get("openai") == "sk-from-elsewhere-1234" and len(derivations) == 1
    assert store.get("openai") == "sk-from-elsewhere-1234" and len(derivations) == 1
    other.delete("openai")
    assert store.get("openai") is None


def test_wrong_master_password(store, tmp_path):
    store.set("anthropic", SECRET)
    other = SecretStore(file_path=tmp_path / "keys.cfg")
    with pytest.raises(BadInput, match="not right"):
        other.unlock("wrong password")
    assert other.needs_master_password


def test_locked_store_says_what_to_do(tmp_path):
    with pytest.raises(SecretsUnavailable, match="master password"):
        SecretStore(file_path=tmp_path / "k.cfg").get("openai")


def test_short_first_master_password_and_empty_key_are_refused(tmp_path, key_store):
    with pytest.raises(BadInput, match="at least 8"):
        SecretStore(file_path=tmp_path / "new.cfg").unlock("short")
    with pytest.raises(BadInput, match="empty"):
        key_store.set("openai", "   ")
    with pytest.raises(BadInput, match="needs client_secret"):
        key_store.set("google_ads", {"developer_token": "x", "client_id": "y", "refresh_token": "z"})


def test_secrets_stay_out_of_the_database_and_logs(key_store, lib, caplog, tmp_path):
    key_store.set("openai", SECRET)
    key_store.get("openai")
    handler_logger = logging.getLogger("studio.test")
    caplog.handler.addFilter(REDACTOR)
    handler_logger.warning("request failed with key %s", SECRET)
    assert SECRET not in caplog.text and "[secret]" in caplog.text
    for path in lib.root.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()


@pytest.fixture
def fake_server():
    with fake_services(SECRET) as (base, seen):
        yield base, seen


@pytest.mark.parametrize("service", ["openai", "anthropic"])
def test_key_test_through_the_real_sdk(fake_server, service):
    root, seen = fake_server
    base = f"{root}/v1" if service == "openai" else root
    good = check_key(service, {"api_key": SECRET}, endpoint=base)
    assert good.ok and "accepted the key (3 models visible)" in good.message
    bad = check_key(service, {"api_key": "sk-wrong-key-000"}, endpoint=base)
    assert not bad.ok and "did not accept the key" in bad.message
    assert "sk-wrong-key-000" not in bad.message
    assert any(path.startswith("/v1/models") for path, _ in seen)


def test_meta_token_test_through_facebook_business(fake_server):
    root, _seen = fake_server
    good = check_key("meta", {"access_token": SECRET}, endpoint=root)
    assert good.ok and "Agency Publisher" in good.message
    bad = check_key("meta", {"access_token": "EAAwrongtoken1"}, endpoint=root)
    assert not bad.ok and "EAAwrongtoken1" not in bad.message


def test_unreachable_service_is_a_message(tmp_path):
    result = check_key("openai", {"api_key": SECRET}, endpoint="http://127.0.0.1:9/v1", timeout=2)
    assert not result.ok and "could not be reached" in result.message and SECRET not in result.message
