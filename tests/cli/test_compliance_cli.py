"""`studio check`, `studio audit` and `studio compliance` as a user runs them: exit codes (0 clean,
3 errors found, 2 bad input), the JSON shape, CSV files and every bad input the issue names."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from studio.core.compliance.engine import check_copy
from studio.core.compliance.rules import load_rule_file
from studio.core.jobs import JobState
from studio.core.library import Library
from tests.cli.test_cli import studio
from tests.core.compliance.test_store import BANNED

FINDING_KEYS = {"rule_id", "severity", "message", "hint", "span", "box", "frame", "excerpt", "platform", "field", "source", "fix"}


def rule_file(tmp_path, *rules, name="brand.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"schema_version": 1, "rules_version": "test", "rules": list(rules)}))
    return path


def test_check_copy_exits_3_on_an_error_with_each_finding_in_json(tmp_path):
    rules = rule_file(tmp_path, BANNED)
    out = studio("check", "copy", "Cheap tulips, cheap vases", "--platform", "google", "--field", "headline", "--rules", rules, "--json")
    assert out.returncode == 3, out.stderr
    doc = json.loads(out.stdout)
    assert doc["passed"] is False and doc["errors"] >= 2
    mine = [f for f in doc["findings"] if f["rule_id"] == "brand.banned"]
    assert [(f["span"], f["excerpt"]) for f in mine] == [([0, 5], "Cheap"), ([14, 19], "cheap")]
    assert all(set(f) == FINDING_KEYS for f in doc["findings"])
    assert mine[0]["severity"] == "error" and mine[0]["hint"] == "Say “great value” instead." and mine[0]["box"] is None
    text = studio("check", "copy", "Cheap tulips", "--platform", "google", "--field", "headline", "--rules", rules)
    assert text.returncode == 3 and "brand.banned [0–5]" in text.stdout and "fix: Say “great value” instead." in text.stdout


def test_check_copy_exits_0_without_errors(tmp_path):
    out = studio("check", "copy", "Fresh tulips, delivered today", "--platform", "meta", "--field", "headline", "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    assert json.loads(out.stdout)["errors"] == 0


def test_check_copy_reads_a_csv_and_maps_path_to_the_display_path(tmp_path):
    rules = rule_file(tmp_path, {**BANNED, "fields": ["display_path"]})
    csv_file = tmp_path / "copy.csv"
    csv_file.write_text("platform,field,text\ngoogle,path,cheap-deals\nmeta,headline,Fresh tulips\ngoogle,headline,\n", encoding="utf-8")
    out = studio("check", "copy", "--file", csv_file, "--rules", rules, "--json")
    assert out.returncode == 3, out.stderr
    results = json.loads(out.stdout)["results"]
    assert [(r["line"], r["platform"], r["field"]) for r in results] == [(2, "google", "path"), (3, "meta", "headline"), (4, "google", "headline")]
    assert [f["field"] for f in results[0]["findings"] if f["rule_id"] == "brand.banned"] == ["display_path"]
    assert [f["rule_id"] for f in results[2]["findings"]] == ["text.empty"]


def test_bad_csv_files_get_a_message(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("platform,text\ngoogle,Hello\n")
    out = studio("check", "copy", "--file", missing)
    assert out.returncode == 2 and "lacks the column(s) field" in out.stderr
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("platform,field,text\ngoogle,headline,Hi\nmyspace,headline,Hi\n")
    out = studio("check", "copy", "--file", unknown)
    assert out.returncode == 2 and "line 3: unknown platform 'myspace'" in out.stderr
    out = studio("check", "copy", "--file", tmp_path / "nowhere.csv")
    assert out.returncode == 2 and "does not exist" in out.stderr
    out = studio("check", "copy", "Hello")
    assert out.returncode == 2 and "--platform" in out.stderr and "--field" in out.stderr


def test_empty_text_and_control_characters_are_findings_not_crashes():
    out = studio("check", "copy", "", "--platform", "meta", "--field", "primary_text", "--json")
    assert out.returncode == 3
    [empty] = json.loads(out.stdout)["findings"]
    assert empty["rule_id"] == "text.empty" and "primary text is empty" in empty["message"]
    text = "Fresh\x07 tulips\x1b today"
    out = studio("check", "copy", text, "--platform", "meta", "--field", "headline", "--json")
    assert out.returncode in (0, 3) and out.stderr == ""
    spans = [f["span"] for f in json.loads(out.stdout)["findings"] if f["span"]]
    assert [5, 6] in spans and [13, 14] in spans  # each control character is pointed at


def test_a_one_megabyte_text_is_checked_quickly_and_says_it_was_cut(tmp_path):
    csv_file = tmp_path / "huge.csv"
    csv_file.write_text("platform,field,text\ngoogle,description," + "Fresh tulips delivered today. " * 35_000 + "\n", encoding="utf-8")
    assert csv_file.stat().st_size > 1_000_000
    started = time.monotonic()
    out = studio("check", "copy", "--file", csv_file, "--json")
    assert time.monotonic() - started < 60
    assert out.returncode == 3, out.stderr  # far over the description's limit
    rules = {f["rule_id"] for f in json.loads(out.stdout)["results"][0]["findings"]}
    assert "text.too_long_to_check" in rules


def test_a_file_that_is_not_an_image_is_refused_with_a_message(tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_text("this is a shopping list, not a photo")
    out = studio("check", "asset", fake, "--platform", "meta", "--json")
    assert out.returncode == 2 and out.stderr.startswith("error:") and "photo.jpg" in out.stderr
    out = studio("check", "asset", tmp_path / "nothing.png")
    assert out.returncode == 2 and "does not exist" in out.stderr
    out = studio("check", "asset", fake, "--spec", "google.rda", "--platform", "meta")
    assert out.returncode == 2 and "google placement" in out.stderr


def test_a_malformed_rule_file_names_the_rule_and_the_shipped_rules_keep_working(tmp_path):
    bad = rule_file(tmp_path, {**BANNED, "id": "brand.nope", "check": "no_such_check"},
                    {**BANNED, "id": "brand.half", "severity": "fatal"}, BANNED, name="bad.json")
    _, rules, problems = load_rule_file(bad)
    assert [r.id for r in rules] == ["brand.banned"]
    assert any("rule brand.nope" in p and "no_such_check" in p for p in problems)
    assert any("rule brand.half" in p and "severity" in p for p in problems)
    assert check_copy("", "google", "headline")[0].rule_id == "text.empty"  # the shipped rules still load
    (tmp_path / "broken.json").write_text("{not json")
    assert "broken.json cannot be read" in load_rule_file(tmp_path / "broken.json")[2][0]

    out = studio("check", "copy", "Cheap tulips", "--platform", "google", "--field", "headline", "--rules", bad, "--json")
    assert out.returncode == 3
    assert "warning: bad.json: rule brand.nope was skipped" in out.stderr and "rule brand.half was skipped" in out.stderr
    doc = json.loads(out.stdout)
    assert any(f["rule_id"] == "brand.banned" for f in doc["findings"]) and len(doc["rule_problems"]) == 2


def test_audit_verify_passes_a_clean_trail_and_finds_an_edited_event(tmp_path):
    lib_dir = tmp_path / "lib"
    assert studio("demo", "--library", lib_dir).returncode == 0
    out = studio("audit", "verify", "--library", lib_dir, "--json")
    doc = json.loads(out.stdout)
    assert out.returncode == 0 and doc["ok"] is True and doc["events"] > 0 and doc["problems"] == []
    con = sqlite3.connect(lib_dir / "library.db")
    with con:
        con.execute("update audit_events set actor = 'mallory' where id = 1")
    con.close()
    out = studio("audit", "verify", "--library", lib_dir, "--json")
    doc = json.loads(out.stdout)
    assert out.returncode == 3 and doc["ok"] is False and doc["problems"][0]["event_id"] == 1 and doc["problems"][0]["kind"] == "edited"
    assert "was changed after it was written" in studio("audit", "verify", "--library", lib_dir).stdout


def _campaign_with_an_error(lib_dir):
    from studio.core.compliance import store
    from studio.core.ops.copy import set_copy
    from studio.core.ops.organize import find_or_create_campaign
    from tests.core.compliance.test_store import add_brand_rule

    with Library.open(lib_dir) as lib:
        campaign_id = find_or_create_campaign(lib, "Spring")
        add_brand_rule(lib, campaign_id, BANNED)
        set_copy(lib, campaign_id, "headline", ["Cheap tulips"])
        store.recheck_campaign(lib, campaign_id, JobState())
        return next(f for f in store.blocking_findings(lib, campaign_id) if f.finding.rule_id == "brand.banned")


def test_compliance_check_exits_3_until_the_error_is_waived(tmp_path):
    from studio.core.compliance import store

    lib_dir = tmp_path / "lib"
    finding = _campaign_with_an_error(lib_dir)
    out = studio("compliance", "check", "--campaign", "Spring", "--library", lib_dir, "--json")
    assert out.returncode == 3, out.stderr
    doc = json.loads(out.stdout)
    assert doc["campaign"] == "Spring" and doc["rechecked"] == 0 and doc["blocking"] >= 1  # stored findings were current
    mine = [f for f in doc["findings"] if f["rule_id"] == "brand.banned"]
    assert [(f["target"], f["item"], f["span"], f["waived"]) for f in mine] == [(finding.target, "Headline: Cheap tulips", [0, 5], False)]
    with Library.open(lib_dir) as lib:
        for f in store.blocking_findings(lib, 1):
            store.waive(lib, f.fingerprint, "Accepted for the test", "Ann Lee")
    out = studio("compliance", "check", "--campaign", "Spring", "--library", lib_dir)
    assert out.returncode == 0 and "0 error(s) to fix or waive" in out.stdout
    out = studio("compliance", "check", "--campaign", "Autumn", "--library", lib_dir)
    assert out.returncode == 2 and "There is no campaign 'Autumn'" in out.stderr
    out = studio("compliance", "approve", "--campaign", "Spring", "--by", "Ann Lee", "--note", "all waived", "--library", lib_dir, "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["blocking_findings"] == 0
    out = studio("compliance", "approve", "--campaign", "Spring", "--by", " ", "--library", lib_dir)
    assert out.returncode == 2 and "A name is required" in out.stderr


def test_audit_report_writes_html_and_pdf_with_findings_waivers_and_the_trail(tmp_path):
    from studio.core.compliance import store

    lib_dir = tmp_path / "lib"
    finding = _campaign_with_an_error(lib_dir)
    with Library.open(lib_dir) as lib:
        store.waive(lib, finding.fingerprint, "The client's slogan since 1998", "Ann Lee")
    out = studio("audit", "report", "--campaign", "Spring", "--out", tmp_path / "report", "--library", lib_dir, "--json")
    assert out.returncode == 0, out.stderr
    paths = json.loads(out.stdout)
    page = Path(paths["html"]).read_text(encoding="utf-8")
    assert "«Cheap» at characters 0–5" in page and "The client&#x27;s slogan since 1998" in page and "Ann Lee" in page
    assert "whole (verified)" in page and "Compliance check" in page and "Waive brand.banned" in page
    assert Path(paths["pdf"]).read_bytes()[:5] == b"%PDF-"
    (tmp_path / "file").write_text("")
    out = studio("audit", "report", "--campaign", "Spring", "--out", tmp_path / "file", "--library", lib_dir)
    assert out.returncode == 2 and "is a file" in out.stderr


def _brand_library(lib_dir) -> None:
    from studio.core.ops.copy import set_copy
    from studio.core.ops.organize import find_or_create_campaign

    with Library.open(lib_dir) as lib:
        set_copy(lib, find_or_create_campaign(lib, "Spring"), "headline", ["Cheap tulips"])


def test_a_brand_gets_banned_words_disclaimers_a_voice_and_rules_from_the_command_line(tmp_path):
    from tests.core.compliance.test_voice import CALM, SHOUTY_NEW

    lib_dir = tmp_path / "lib"
    _brand_library(lib_dir)
    out = studio("compliance", "brand", "My brand", "ban", "cheap", "bargain", "--library", lib_dir, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["banned"] == ["cheap", "bargain"]
    out = studio("compliance", "brand", "1", "require", "Terms apply", "--field", "description", "--library", lib_dir, "--json")
    doc = json.loads(out.stdout)
    assert (doc["required"], doc["required_fields"]) == (["Terms apply"], ["description"])
    out = studio("compliance", "check", "--campaign", "Spring", "--library", lib_dir, "--json")
    assert out.returncode == 3 and "brand.banned" in {f["rule_id"] for f in json.loads(out.stdout)["findings"]}

    (tmp_path / "voice.txt").write_text("\n".join(CALM) + "\n\n", encoding="utf-8")
    assert studio("compliance", "brand", "1", "voice", "--samples", tmp_path / "voice.txt", "--library", lib_dir).returncode == 0
    (tmp_path / "copy.txt").write_text(f"{CALM[0]}\n{SHOUTY_NEW[1]}\n", encoding="utf-8")
    out = studio("compliance", "brand", "1", "voice-score", "--file", tmp_path / "copy.txt", "--library", lib_dir, "--json")
    report = json.loads(out.stdout)
    assert 0 <= report["score"] < 80 and report["sentences"][0]["text_index"] == 1
    assert "exclamation marks the brand never uses" in report["sentences"][0]["why"]
    out = studio("compliance", "brand", "1", "voice-score", CALM[1], "--library", lib_dir)
    assert out.returncode == 0 and out.stdout.startswith("My brand voice score: ") and "close to the brand's voice" in out.stdout

    rule = {"id": "brand.no_deals", "check": "phrases", "params": {"phrases": ["deal*"]}, "fields": ["headline"],
            "severity": "warning", "message": "No deals.", "hint": "Say offer."}
    (tmp_path / "rule.json").write_text(json.dumps(rule))
    assert studio("compliance", "brand", "1", "add-rule", tmp_path / "rule.json", "--library", lib_dir).returncode == 0
    studio("compliance", "brand", "1", "ban", "cheap", "--remove", "--library", lib_dir)
    out = studio("compliance", "brand", "1", "remove-rule", "brand.required", "--library", lib_dir)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "My brand (brand 1): 3 rule(s):"
    assert [line.split()[0] for line in out.stdout.splitlines()[1:]] == ["brand.banned", "brand.voice", "brand.no_deals"]
    assert "banned: bargain" in out.stdout and "5 sample text(s)" in out.stdout


def test_bad_brand_input_says_what_is_wrong_and_writes_nothing(tmp_path):
    lib_dir = tmp_path / "lib"
    _brand_library(lib_dir)

    def brand(*args):
        return studio("compliance", "brand", *args, "--library", lib_dir)

    out = brand("Acme", "rules")
    assert out.returncode == 2 and "There is no brand 'Acme'. The brands are: 1 My brand." in out.stderr
    (tmp_path / "broken.json").write_text('{"id": "brand.x", "check": ')
    out = brand("1", "add-rule", tmp_path / "broken.json")
    assert out.returncode == 2 and "broken.json is not valid JSON (line 1, column" in out.stderr
    good = {"id": "brand.good", "check": "phrases", "params": {"phrases": ["deal"]}, "fields": ["headline"], "severity": "warning",
            "message": "m", "hint": "h"}
    rule_file(tmp_path, good, {**good, "id": "brand.tone", "check": "tone"}, name="two.json")
    out = brand("1", "add-rule", tmp_path / "two.json")
    assert out.returncode == 2
    assert "two.json: rule brand.tone was skipped (there is no check called 'tone')" in out.stderr and "Nothing was added." in out.stderr
    (tmp_path / "two_lines.txt").write_text("One calm line.\nAnother calm line.\n")
    out = brand("1", "voice", "--samples", tmp_path / "two_lines.txt")
    assert out.returncode == 2 and "at least 3 of its own texts; 2 were given" in out.stderr
    out = brand("1", "voice-score", "Some copy")
    assert out.returncode == 2 and "My brand has no voice yet" in out.stderr and "voice --samples FILE.txt" in out.stderr
    out = brand("1", "remove-rule", "brand.banned")
    assert out.returncode == 2 and "no rule 'brand.banned'; its rules are: none" in out.stderr
    out = brand("1", "rules", "--json")
    assert json.loads(out.stdout)["rules"] == []
