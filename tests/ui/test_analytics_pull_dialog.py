"""Pull from Meta / Google Ads: the dialog runs the real pull job through the facebook-business SDK
against a local fake Graph API, with the token in a real encrypted-file key store; facts land in
the real library, an expired token says what to do and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QSettings, Qt

from studio.core.analytics.store import fact_count, list_imports
from studio.core.secrets import SecretStore
from studio.ui.workspaces.analytics.filters import FiltersBar
from studio.ui.workspaces.analytics.pull_dialog import PullDialog
from tests.fake_meta import FakeMeta, fake_meta, insight

JOB_MS = 60_000  # jobs on a busy 2-core machine
TOKEN = "EAAGm0PX4ZCpsBAtoken123"
DAYS = [f"2026-11-0{d}" for d in range(1, 6)]


def insights() -> list[dict]:
    return [insight("Shop DE", "Autumn", "Women 25-34", f"Ad {a}", day, 10.0 * (a + 1), 1000 + a, 50 + a, purchases=a, value=30.0 * a)
            for day in DAYS for a in range(2)]


@pytest.fixture
def key_store(ctx):
    store = SecretStore()  # the encrypted key file in this test's own config folder
    store.unlock("correct horse battery")
    store.set("meta", TOKEN)
    ctx.secrets = store
    return store


def make_dialog(qtbot, ctx, parent=None) -> PullDialog:
    filters = FiltersBar()
    filters.preset.setCurrentIndex(filters.preset.findData("custom"))
    filters.start.setDate(QDate(2026, 11, 1))
    filters.end.setDate(QDate(2026, 11, 5))
    filters.set_choices(["meta"], ["EUR"], date(2026, 11, 5))
    qtbot.addWidget(filters)
    dialog = PullDialog(ctx, filters, parent)
    if parent is None:
        qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def pull(qtbot, dialog: PullDialog, accounts: str = "42"):
    dialog.platform.setCurrentIndex(dialog.platform.findData("meta"))
    dialog.accounts.setText(accounts)
    with qtbot.waitSignal(dialog.pull_finished, timeout=JOB_MS) as blocker:
        qtbot.mouseClick(dialog.pull_button, Qt.LeftButton)
    return blocker.args[0]


def test_a_pull_adds_facts_and_a_second_pull_replaces_rather_than_doubles(qtbot, ctx, lib, key_store):
    with fake_meta(FakeMeta(TOKEN, insights={"act_42": insights()})) as fake:
        QSettings().setValue("accounts/meta/endpoint", fake.url)
        dialog = make_dialog(qtbot, ctx)
        assert (dialog.start.date(), dialog.end.date()) == (QDate(2026, 11, 1), QDate(2026, 11, 5))  # the filter bar's period
        job = pull(qtbot, dialog)
        assert job.status == "done", job.error
        assert fact_count(lib) == 10
        (batch,) = list_imports(lib)
        assert batch.source == "meta_api" and batch.rows_added == 10
        assert dialog.status.text() == "Pulled 10 rows from Meta for 2026-11-01 to 2026-11-05: 10 added, 0 replaced, 0 already up to date."
        assert dialog.status.property("state") == "ok" and not dialog.settings_button.isVisible()
        assert not dialog.progress.isVisible() and dialog.pull_button.isEnabled()

        job = pull(qtbot, dialog)
        assert job.status == "done" and fact_count(lib) == 10
        assert "0 added, 0 replaced, 10 already up to date" in dialog.status.text()
    again = make_dialog(qtbot, ctx)  # the account is remembered for the platform
    assert again.accounts.text() == "42" and again.platform.currentData() == "meta"


def test_an_expired_token_says_so_writes_nothing_and_opens_accounts_and_keys(qtbot, ctx, lib, key_store, window):
    with fake_meta(FakeMeta("EAAGnewtoken456", insights={"act_42": insights()})) as fake:  # Meta now wants another token
        QSettings().setValue("accounts/meta/endpoint", fake.url)
        dialog = make_dialog(qtbot, ctx, parent=window)
        job = pull(qtbot, dialog)
    assert job.status == "failed"
    text = dialog.status.text()
    assert "did not accept the access token" in text and "Settings ▸ Accounts & keys" in text and TOKEN not in text
    assert dialog.status.property("state") == "bad"
    assert fact_count(lib) == 0 and list_imports(lib) == []
    assert dialog.settings_button.isVisible()
    qtbot.mouseClick(dialog.settings_button, Qt.LeftButton)
    settings = window.settings_dialog
    assert settings.isVisible() and settings.nav.currentItem().text() == "Accounts & keys"


def test_a_bad_account_id_says_what_one_looks_like(qtbot, ctx, lib, key_store):
    dialog = make_dialog(qtbot, ctx)
    job = pull(qtbot, dialog, accounts="my shop")
    assert job.status == "failed" and "'my' is not a Meta ad account id" in dialog.status.text()
    assert not dialog.settings_button.isVisible() and fact_count(lib) == 0


def test_without_a_key_store_unlocked_it_points_to_settings(qtbot, ctx, lib):
    dialog = make_dialog(qtbot, ctx)  # ctx.secrets is None and the encrypted file is locked
    job = pull(qtbot, dialog)
    assert job.status == "failed" and "Accounts & keys" in dialog.status.text()
    assert dialog.settings_button.isVisible() and fact_count(lib) == 0
