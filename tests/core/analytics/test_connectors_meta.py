"""Meta insights pulled through the real facebook-business SDK from a local fake Graph API into
a real library: paging, conversions from actions, re-pulls, an expired token, Cancel; long ranges
through asynchronous report runs (progress, a failed or skipped run, Cancel while waiting, a timeout)."""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time

import pytest

from studio.core.analytics.connectors import PullParams
from studio.core.analytics.connectors.meta import ReportRuns, pull_meta
from studio.core.analytics.store import fact_count, list_imports
from studio.core.errors import BadInput, Cancelled, StudioError
from studio.core.jobs import JobState
from studio.core.secrets import REDACTOR, SecretStore
from tests.core.analytics.test_ingest import facts as stored_facts
from tests.fake_meta import RATE_LIMITED, FakeMeta, fake_meta, insight

TOKEN = "EAAGm0PX4ZCpsBAtoken123"
DAYS = [f"2026-11-0{d}" for d in range(1, 6)]
QUICK = ReportRuns(first_poll=0.01, max_poll=0.05)  # the default from_days: ranges of 8 days or more use a run


@pytest.fixture
def secrets(saved_keys):
    return saved_keys(meta=TOKEN)  # also the user's encrypted key file (in this test's own config folder)


def rows(spend_bump: float = 0.0) -> list[dict]:
    return [insight("Shop DE", "Autumn", "Women 25-34", f"Ad {a}", day, 10.0 * (a + 1) + spend_bump, 1000 + a, 50 + a,
                    purchases=a, value=30.0 * a) for day in DAYS for a in range(2)]


@pytest.fixture
def server():
    with fake_meta(FakeMeta(TOKEN, insights={"act_42": rows()})) as fake:
        yield fake


def facts(lib) -> list[tuple]:
    return stored_facts(lib, "ad, date, spend, conversions, conversion_value, link_clicks, video_views", order="date, ad")


def pull(lib, server, secrets, first="2026-11-01", last="2026-11-05", state=None, accounts=("42",), runs=QUICK):
    return pull_meta(PullParams(str(lib.root), list(accounts), first, last, endpoint=server.url), state or JobState(), lib, secrets, runs)


def two_weeks() -> list[dict]:
    return [insight("Shop DE", "Autumn", "Women 25-34", f"Ad {a}", f"2026-11-{d:02d}", 5.0 + a, 800, 40, purchases=1, value=25.0)
            for d in range(1, 15) for a in range(2)]


def nothing_stored(lib) -> bool:
    return fact_count(lib) == 0 and list_imports(lib) == []


def test_pull_follows_every_page_and_reads_actions(lib, server, secrets):
    server.insights["act_7"] = [insight("Shop US", "Launch", "All", "Ad U", "2026-11-02", 9.5, 300, 12, currency="USD")]
    progress = []
    state = JobState(lambda: progress.append(state.progress))
    report = pull(lib, server, secrets, state=state, accounts=("42", "act_7"))
    assert (report.pages, report.rows, report.rows_added, report.accounts) == (5, 11, 11, ["act_42", "act_7"])  # 10 rows, 3 a page; 1
    insights = [s for s in server.seen if s["path"].endswith("/act_42/insights")]
    assert [s["params"].get("after") for s in insights] == [None, "3", "6", "9"]
    first = insights[0]["params"]
    assert (first["level"], first["time_increment"], json.loads(first["time_range"])) == ("ad", "1", {"since": "2026-11-01", "until": "2026-11-05"})
    assert {"actions", "action_values", "inline_link_clicks", "video_play_actions", "account_currency"} <= set(first["fields"].split(","))
    stored = facts(lib)
    assert len(stored) == 11
    # a purchase is reported as both the pixel event and "purchase": counted once
    assert stored[1][:2] == ("Ad 1", stored[1][1]) and stored[1][2:] == (20.0, 1.0, 30.0, 50.0, 7.0)
    assert stored[0][3:5] == (None, None)  # no actions: no conversions, not zero
    progress = [p for p in progress if p is not None]
    assert progress[-1] == 1.0 and progress == sorted(progress) and len(set(progress)) > 3
    [batch] = list_imports(lib)
    assert (batch.source, batch.facts, str(batch.date_from), str(batch.date_to)) == ("meta_api", 11, "2026-11-01", "2026-11-05")
    assert "act_42, act_7" in batch.file_name and len(batch.file_sha256) == 64
    assert report.totals == [  # currencies kept apart
        {"platform": "meta", "currency": "EUR", "spend": 150.0, "impressions": 10005.0, "clicks": 505.0, "conversions": 5.0, "conversion_value": 150.0},
        {"platform": "meta", "currency": "USD", "spend": 9.5, "impressions": 300.0, "clicks": 12.0, "conversions": None, "conversion_value": None}]


def test_overlapping_repull_never_double_counts(lib, server, secrets):
    pull(lib, server, secrets, last="2026-11-03")
    server.insights["act_42"] = rows(spend_bump=1.0)  # Meta restated the numbers
    again = pull(lib, server, secrets, first="2026-11-02", last="2026-11-05")
    assert (again.rows_added, again.rows_replaced, again.rows_unchanged) == (4, 4, 0)
    same = pull(lib, server, secrets, first="2026-11-02", last="2026-11-05")
    assert (same.rows_added, same.rows_replaced, same.rows_unchanged) == (0, 0, 8)
    stored = facts(lib)
    assert len(stored) == 10
    assert sum(f[2] for f in stored) == 150.0 + 8 * 1.0  # Nov 1 as first pulled, Nov 2-5 restated
    quiet = pull(lib, server, secrets, first="2026-12-01", last="2026-12-31")  # no data in December: no batch
    assert (quiet.rows, quiet.batch_id) == (0, None) and len(list_imports(lib)) == 3


def test_expired_token_says_what_to_do_and_writes_nothing(lib, server, secrets, caplog):
    secrets.set("meta", "EAAexpired-token-999")
    caplog.set_level(logging.DEBUG)  # urllib3 logs the request URL, token and all: the log file's redactor must catch it
    caplog.handler.addFilter(REDACTOR)
    with pytest.raises(StudioError, match="expired or was revoked") as failure:
        pull(lib, server, secrets)
    assert "Settings ▸ Accounts & keys" in str(failure.value)
    assert "EAAexpired-token-999" not in str(failure.value) + caplog.text and "access_token=[secret]" in caplog.text
    assert facts(lib) == [] and list_imports(lib) == []


def test_rate_limit_and_missing_token(lib, server, secrets, tmp_path):
    server.error = RATE_LIMITED
    with pytest.raises(StudioError, match="Wait an hour"):
        pull(lib, server, secrets)
    empty = SecretStore(file_path=tmp_path / "other.cfg")
    empty.unlock("correct horse battery")
    with pytest.raises(BadInput, match="No Meta .* credentials are saved"):
        pull(lib, server, empty)
    with pytest.raises(BadInput, match="not a Meta ad account id"):
        pull_meta(PullParams(str(lib.root), ["Shop DE"], "2026-11-01", "2026-11-02", endpoint=server.url), JobState(), lib, secrets)
    with pytest.raises(BadInput, match="starts .* after it ends"):
        pull(lib, server, secrets, first="2026-11-05", last="2026-11-01")
    assert list_imports(lib) == []


def test_cancel_between_pages_writes_nothing(lib, server, secrets):
    state = JobState(lambda: state.cancel() if "page 2" in state.status else None)  # the user presses Cancel after page 2
    with pytest.raises(Cancelled):
        pull(lib, server, secrets, state=state)
    assert len([s for s in server.seen if s["path"].endswith("/insights")]) == 2  # no third page was asked for
    assert fact_count(lib) == 0 and list_imports(lib) == []


def test_cli_pull_meta(tmp_path, server, secrets, capsys, monkeypatch):
    from studio import cli_pull

    parser = argparse.ArgumentParser()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--library")
    common.add_argument("--json", action="store_true")
    cli_pull.add_parsers(parser.add_subparsers(dest="action"), common, argparse.ArgumentParser)
    command = cli_pull.COMMANDS[("analytics", "pull")]
    library = str(tmp_path / "cli-lib")
    argv = ["pull", "meta", "--account", "act_42", "--from", "2026-11-01", "--to", "2026-11-02", "--endpoint", server.url, "--library", library]
    with pytest.raises(StudioError, match="key store is locked: set STUDIO_MASTER_PASSWORD"):
        command(parser.parse_args(argv))
    monkeypatch.setenv("STUDIO_MASTER_PASSWORD", "correct horse battery")
    assert command(parser.parse_args([*argv, "--json"])) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["platform"], doc["rows_added"], doc["pages"], doc["totals"][0]["spend"]) == ("meta", 4, 2, 60.0)
    assert command(parser.parse_args(argv)) == 0
    assert "meta act_42 2026-11-01 to 2026-11-02: 4 rows in 2 page(s), 0 added, 0 replaced, 4 already there" in capsys.readouterr().out
    with pytest.raises(BadInput, match="write it as YYYY-MM-DD"):
        command(parser.parse_args(["pull", "meta", "--account", "42", "--from", "Nov 1", "--to", "2026-11-02", "--library", library]))


def test_a_long_range_goes_through_a_report_run_with_its_percent_as_progress(lib, server, secrets):
    server.insights["act_42"] = two_weeks()
    seen = []  # (status, progress) at every change
    state = JobState(lambda: seen.append((state.status, state.progress)))
    report = pull(lib, server, secrets, last="2026-11-14", state=state)
    assert (report.rows, report.rows_added, report.pages) == (28, 28, 10)  # 3 rows a page
    assert [(s["method"], s["path"].split("/", 2)[2]) for s in server.seen[:1]] == [("POST", "act_42/insights")]
    [(run_id, run)] = server.runs.items()
    assert json.loads(server.seen[0]["params"]["time_range"]) == {"since": "2026-11-01", "until": "2026-11-14"}
    assert run["checks"] == 3 and {"actions", "inline_link_clicks", "account_currency"} <= set(run["fields"])
    run_pages = [s for s in server.seen if s["path"].endswith(f"/{run_id}/insights")]
    assert len(run_pages) == 10 and not any(s["method"] == "GET" and s["path"].endswith("/act_42/insights") for s in server.seen)
    statuses = [s for s, _ in seen]
    assert "Meta is preparing the report for act_42: 0 %" in statuses and "Meta is preparing the report for act_42: 40 %" in statuses
    progress = [p for _, p in seen if p is not None]
    at_40 = next(p for s, p in seen if s.endswith("40 %") and p is not None)
    assert at_40 == pytest.approx(0.9 * 0.4 / 2)  # preparing is the first half of the account's share
    assert progress == sorted(progress) and progress[-1] == 1.0
    assert sum(f[2] for f in facts(lib)) == 14 * (5.0 + 6.0)
    short = pull(lib, server, secrets, last="2026-11-07")  # a week: one synchronous request, no run
    assert (short.rows, short.rows_unchanged, len(server.runs)) == (14, 14, 1)


def test_a_failed_or_skipped_run_names_the_account_and_writes_nothing(lib, server, secrets):
    server.insights["act_42"] = two_weeks()
    server.run_fails, server.run_error = "Job Failed", "The report was too large to prepare."
    with pytest.raises(StudioError) as failure:
        pull(lib, server, secrets, last="2026-11-14")
    assert str(failure.value).startswith("Meta could not prepare the insights report for act_42 (Job Failed: The report was too large")
    assert "pull a shorter range" in str(failure.value)
    server.run_fails = "Job Skipped"
    with pytest.raises(StudioError, match=r"report for act_42 \(Job Skipped\)\. .*try again later"):
        pull(lib, server, secrets, last="2026-11-14")
    assert not any(s["path"].endswith("/insights") and s["method"] == "GET" for s in server.seen)  # no rows were read
    assert nothing_stored(lib)


def test_cancel_while_waiting_for_a_run_stops_polling_at_once(lib, server, secrets):
    server.insights["act_42"] = two_weeks()
    server.run_progress = (40, 100)

    def changed():  # the user presses Cancel while the job waits for its next status check
        if state.status.endswith("40 %") and not state.cancelled:
            threading.Timer(0.1, state.cancel).start()

    state = JobState(changed)
    started = time.monotonic()
    with pytest.raises(Cancelled):
        pull(lib, server, secrets, last="2026-11-14", state=state, runs=ReportRuns(first_poll=30.0))
    assert time.monotonic() - started < 10  # not the 30 s wait
    [run] = server.runs.values()
    assert run["checks"] == 1 and not any(s["path"].endswith("/insights") and s["method"] == "GET" for s in server.seen)
    assert nothing_stored(lib)


def test_a_run_that_never_finishes_times_out_with_a_clear_message(lib, server, secrets):
    server.insights["act_42"] = two_weeks()
    server.run_progress = (0, 10)  # stuck at 10 %
    with pytest.raises(StudioError, match=r"had not finished preparing the insights report for act_42 after 0.3 seconds \(it was at 10 %\)"):
        pull(lib, server, secrets, last="2026-11-14", runs=ReportRuns(first_poll=0.02, max_poll=0.05, timeout=0.3))
    assert server.runs and nothing_stored(lib)
