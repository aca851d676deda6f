"""`studio render ID [ID …] --cluster ADDRESS` and `studio export package … --cluster ADDRESS`:
batches on a real Dask scheduler with two worker processes, reached by its address as a render
farm's would be, one render on a LocalCluster of its own ("local"), and the refusals."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import av
import pytest

from studio.core import cluster
from studio.core.export.manifest import Manifest, verify
from tests import media
from tests.cli.test_cli import studio
from tests.cli.test_render_cli import spot, stored


def frames_in(path: Path) -> int:
    with av.open(str(path)) as container:
        return sum(1 for _ in container.decode(video=0))


def two_spots(tmp_path) -> tuple[Path, int, int]:
    lib, first = stored(tmp_path, spot(tmp_path))
    _, second = stored(tmp_path, spot(tmp_path).model_copy(update={"name": "Teaser"}))
    return lib, first, second


@pytest.fixture(scope="module")
def scheduler():
    """A running cluster the commands reach by address, as they would a render farm's scheduler."""
    with cluster.connect("local", workers=2) as client:
        yield client.scheduler.address


def test_several_compositions_render_as_a_batch_on_a_cluster(tmp_path, scheduler):
    lib, first, second = two_spots(tmp_path)
    out = studio("render", first, second, first, "--cluster", scheduler, "--out", tmp_path / "renders", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    names = ["Launch-spot-1.mp4", "Teaser.mp4", "Launch-spot-3.mp4"]  # a name that repeats is numbered
    assert [r["path"] for r in results] == [str(tmp_path / "renders" / n) for n in names]
    assert sorted(p.name for p in (tmp_path / "renders").iterdir()) == sorted(names)  # no temporary files left
    assert all(frames_in(Path(r["path"])) == 30 and r["width"] == 160 for r in results)


def test_one_composition_on_a_local_cluster_prints_as_a_render_does(tmp_path):
    lib, cid = stored(tmp_path, spot(tmp_path))
    out = studio("render", cid, "--cluster", "local", "--out", tmp_path / "one.mp4", "--library", lib)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"Rendered {tmp_path / 'one.mp4'}\n  160x284, 30 fps, 30 frames")
    assert frames_in(tmp_path / "one.mp4") == 30


def test_bad_batch_requests_exit_with_a_message(tmp_path, monkeypatch):
    lib, first, second = two_spots(tmp_path)
    (tmp_path / "file.mp4").write_bytes(b"")
    for args, code, message in [
        ([first, second, "--frame", "3"], 2, "error: --frame writes a still of one composition here"),
        ([first, second, "--out", tmp_path / "file.mp4"], 2, "is a file; with several compositions --out is the folder"),
        ([first, "--cluster", "nonsense::"], 2, "error: 'nonsense::' is not a scheduler address; write it as tcp://HOST:8786"),
    ]:
        out = studio("render", *args, "--library", lib)
        assert out.returncode == code, out.stderr
        assert message in out.stderr and "Traceback" not in out.stderr

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 1.0)  # nobody answers: do not wait the usual 10 s
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    out = studio("render", first, second, "--cluster", address, "--out", tmp_path / "renders", "--library", lib)
    assert out.returncode == 1 and out.stderr.startswith(f"error: Cannot reach the Dask scheduler at {address} (")
    assert not list((tmp_path / "renders").iterdir())


def test_export_package_on_a_cluster(tmp_path, scheduler):
    lib = tmp_path / "lib"
    photo = media.jpeg(tmp_path / "photo.jpg", size=(1600, 1000))
    assert studio("assets", "import", photo, "--campaign", "Spring", "--library", lib).returncode == 0
    out = studio("export", "package", "--campaign", "Spring", "--platforms", "linkedin", "--specs", "linkedin.single_image",
                 "--out", tmp_path / "out", "--cluster", scheduler, "--no-zip", "--library", lib, "--json")
    assert out.returncode == 0, out.stderr
    folder = Path(json.loads(out.stdout)["folder"])
    assert verify(folder) == []
    manifest = Manifest.loads((folder / "manifest.json").read_text())
    assert [f.spec_id for f in manifest.files if f.role == "rendition"] == ["linkedin.single_image"]
