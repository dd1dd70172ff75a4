"""The setup step that installs the map's shapes (portal/fetch_shapes.py), on local fake tarballs."""

import base64
import hashlib
import io
import tarfile

import pytest

from portal import fetch_shapes

TOPOLOGY = b'{"type": "Topology", "objects": {"countries": {"geometries": []}}, "arcs": []}'


def tarball(members: dict[str, bytes], *, symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        if symlink:
            info = tarfile.TarInfo(symlink)
            info.type = tarfile.SYMTYPE
            info.linkname = "/etc/passwd"
            archive.addfile(info)
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def test_installs_the_one_member_when_the_integrity_matches(tmp_path):
    data = tarball({"package/README.md": b"readme", fetch_shapes.MEMBER: TOPOLOGY})
    target = tmp_path / "var" / "countries.json"
    fetch_shapes.install(data, target, integrity=integrity(data))
    assert target.read_bytes() == TOPOLOGY
    assert [p.name for p in target.parent.iterdir()] == ["countries.json"]


def test_refuses_a_tarball_whose_integrity_differs(tmp_path):
    data = tarball({fetch_shapes.MEMBER: TOPOLOGY})
    other = tarball({fetch_shapes.MEMBER: TOPOLOGY + b" "})
    target = tmp_path / "countries.json"
    with pytest.raises(fetch_shapes.ShapesError, match="integrity mismatch"):
        fetch_shapes.install(data, target, integrity=integrity(other))
    assert not target.exists()


def test_the_pinned_integrity_refuses_anything_but_the_real_tarball(tmp_path):
    with pytest.raises(fetch_shapes.ShapesError, match="integrity mismatch"):
        fetch_shapes.install(tarball({fetch_shapes.MEMBER: TOPOLOGY}), tmp_path / "countries.json")


@pytest.mark.parametrize("name", ["package/../../evil.json", "/etc/evil.json", "../countries-50m.json"])
def test_refuses_a_member_with_a_path_traversal(tmp_path, name):
    data = tarball({name: b"evil", fetch_shapes.MEMBER: TOPOLOGY})
    with pytest.raises(fetch_shapes.ShapesError, match="unsafe member name"):
        fetch_shapes.install(data, tmp_path / "out" / "countries.json", integrity=integrity(data))
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "evil.json").exists()


def test_refuses_a_link_in_place_of_the_member(tmp_path):
    data = tarball({}, symlink=fetch_shapes.MEMBER)
    with pytest.raises(fetch_shapes.ShapesError, match="not a regular file"):
        fetch_shapes.install(data, tmp_path / "countries.json", integrity=integrity(data))


def test_refuses_a_tarball_without_the_member(tmp_path):
    data = tarball({"package/other.json": TOPOLOGY})
    with pytest.raises(fetch_shapes.ShapesError, match="not found"):
        fetch_shapes.install(data, tmp_path / "countries.json", integrity=integrity(data))


def test_setup_skips_the_download_when_the_file_is_intact(tmp_path, monkeypatch):
    target = tmp_path / "countries.json"
    target.write_bytes(TOPOLOGY)
    monkeypatch.setattr(fetch_shapes, "MEMBER_SHA256", hashlib.sha256(TOPOLOGY).hexdigest())

    def no_network(*args, **kwargs):
        raise AssertionError("downloaded although the file was intact")

    monkeypatch.setattr(fetch_shapes, "download", no_network)
    assert fetch_shapes.main(["--target", str(target)]) == 0


def test_setup_downloads_again_when_the_file_is_damaged(tmp_path, monkeypatch, capsys):
    target = tmp_path / "countries.json"
    target.write_bytes(b"damaged")
    data = tarball({fetch_shapes.MEMBER: TOPOLOGY})
    monkeypatch.setattr(fetch_shapes, "download", lambda: data)
    monkeypatch.setattr(fetch_shapes, "INTEGRITY", integrity(data))
    assert fetch_shapes.main(["--target", str(target)]) == 0
    assert target.read_bytes() == TOPOLOGY


def test_setup_fails_loudly_on_a_bad_download(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(fetch_shapes, "download", lambda: tarball({fetch_shapes.MEMBER: b"x"}))
    assert fetch_shapes.main(["--target", str(tmp_path / "countries.json")]) == 1
    assert "integrity mismatch" in capsys.readouterr().err
