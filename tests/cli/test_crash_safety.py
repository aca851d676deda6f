"""A studio process killed (SIGKILL) in the middle of ops and imports, many times over:
the library still opens, passes `studio library check`, and holds every committed step."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from studio.core.library import Library
from tests import media
from tests.cli.test_cli import studio

WORKER = r"""
import sys
from pathlib import Path
from studio.core.assets import importer
from studio.core.jobs import JobState
from studio.core.library import Library
from studio.core.ops import assets as asset_ops, organize

root, files, round_no = sys.argv[1], sys.argv[2:], None
lib = Library.open(root)
for i, path in enumerate(files):
    client = organize.create_client(lib, f"R{sys.argv[0]}-{Path(path).stem}").value
    print(f"client {client}", flush=True)
    report = importer.run(importer.ImportParams(root, [path]), JobState(), lib=lib)
    for row in report.imported:
        print(f"asset {row['sha256']}", flush=True)
        asset_ops.add_tag(lib, [row["id"]], "crash-test")
        print(f"tag {row['id']}", flush=True)
"""


def children(pid: int) -> set[int]:
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return kids


def running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_sigkill_during_ops_and_imports_loses_only_the_step_in_flight(tmp_path):
    root = tmp_path / "lib"
    Library.open(root).close()
    rng = random.Random(1234)
    committed = {"client": set(), "asset": set(), "tag": set()}
    counter = 0
    for round_no in range(8):
        files = []
        for _ in range(6):
            counter += 1
            files.append(str(media.jpeg(tmp_path / "src" / f"f{counter}.jpg", size=(900, 700), seed=counter)))
        proc = subprocess.Popen([sys.executable, "-c", WORKER, str(root), *files], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.8, 3.0))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate()
        assert "Traceback" not in err, err
        for line in out.splitlines():
            kind, value = line.split()
            committed[kind].add(value)
        check = studio("library", "check", "--library", root, "--json")
        assert check.returncode == 0, check.stdout + check.stderr
        assert json.loads(check.stdout)["ok"]

    # Also kill the real command line in the middle of a bigger import.
    for i in range(40):
        media.jpeg(tmp_path / "bulk" / f"b{i}.jpg", size=(1200, 900), seed=1000 + i)
    orphans_watched = 0
    for delay in (0.0, 0.5, 1.0):
        # No pipes: its worker processes outlive it for a moment and would hold them open.
        proc = subprocess.Popen([sys.executable, "-m", "studio", "assets", "import", str(tmp_path / "bulk"), "--library", str(root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic() + 60  # a busy machine can take many seconds to start the command
        while not children(proc.pid) and proc.poll() is None and time.monotonic() < started:
            time.sleep(0.05)
        time.sleep(delay)  # then kill it this long into its import
        workers = children(proc.pid)
        proc.kill()
        proc.wait()
        # Its worker processes notice and go, rather than wait forever as orphans.
        deadline = time.monotonic() + 60
        while any(running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if running(w)], "worker processes outlived the killed studio"
        orphans_watched += len(workers)
        check = studio("library", "check", "--library", root, "--json")
        assert check.returncode == 0 and json.loads(check.stdout)["ok"], check.stdout + check.stderr

    assert committed["client"] and committed["asset"], "the workers were killed before committing anything"
    assert orphans_watched, "the command line was killed before it started its worker processes"
    with Library.open(root) as lib, lib.read() as conn:
        clients = {str(i) for i in conn.execute(text("select id from clients")).scalars()}
        hashes = set(conn.execute(text("select sha256 from assets")).scalars())
        tagged = {str(i) for i in conn.execute(text("select asset_id from asset_tags")).scalars()}
    assert committed["client"] <= clients
    assert committed["asset"] <= hashes
    assert committed["tag"] <= tagged
