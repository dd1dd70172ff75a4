"""Install the map's country shapes: Natural Earth's countries as the npm package world-atlas packs them.

Run by scripts/setup (`python -m portal.fetch_shapes`), never at run time: the site works offline
and its map reads the file this writes (settings.MAP_SHAPES_PATH). Standard library only, so it
needs neither Node nor Django's settings. The tarball is pinned by the registry's integrity hash
and only the one member the map draws is taken from it, by its exact name, so a tampered or
hostile archive writes nothing.
"""

import argparse
import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import urllib.request
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
TARBALL_URL = "https://registry.npmjs.org/world-atlas/-/world-atlas-2.0.2.tgz"
INTEGRITY = "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
MEMBER = "package/countries-50m.json"
# The member's own hash, so a second setup run can tell an intact file from a damaged one.
MEMBER_SHA256 = "04342cdc1e3016bcd7db1630de95684d67b79fe3c8c460321e87aef469502394"
DEFAULT_TARGET = Path(__file__).resolve().parent.parent / "var" / "world-atlas" / "countries-50m.json"
MAX_TARBALL = 20 * 1024 * 1024  # the real one is 2 MB
MAX_MEMBER = 5 * 1024 * 1024  # the real member is 0.75 MB


class ShapesError(Exception):
    """The tarball or its member is not what we pinned."""


def check_integrity(data: bytes, integrity: str = INTEGRITY) -> None:
    """Raise unless `data` has the Subresource-Integrity-style hash npm publishes."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm not in {"sha256", "sha384", "sha512"}:
        raise ShapesError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise ShapesError(f"integrity mismatch: expected {integrity}, got {algorithm}-{actual}")


def extract_member(data: bytes, member: str = MEMBER) -> bytes:
    """The bytes of one regular file in a .tgz, found by exact name.

    Nothing is written by tarfile itself: names with `..`, absolute paths, links and devices are
    refused rather than trusted, so no member can escape the target directory.
    """
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for info in archive:
            name = info.name
            if name.startswith("/") or ".." in Path(name).parts:
                raise ShapesError(f"refusing unsafe member name {name!r}")
            if name != member:
                continue
            if not info.isreg():
                raise ShapesError(f"{name!r} is not a regular file")
            if info.size > MAX_MEMBER:
                raise ShapesError(f"{name!r} is too large ({info.size} bytes)")
            return archive.extractfile(info).read()
    raise ShapesError(f"{member!r} not found in the tarball")


def is_valid(path: Path, sha256: str | None = None) -> bool:
    """Whether `path` already holds the pinned shapes, byte for byte."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() == (sha256 or MEMBER_SHA256)
    except OSError:
        return False


def download(url: str = TARBALL_URL) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read(MAX_TARBALL + 1)
    if len(data) > MAX_TARBALL:
        raise ShapesError("tarball larger than expected")
    return data


def install(data: bytes, target: Path, *, integrity: str | None = None) -> Path:
    """Check `data` against the pinned (or given) integrity, take the member, write it atomically."""
    check_integrity(data, integrity or INTEGRITY)
    content = extract_member(data, MEMBER)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as part:
        part.write(content)
    os.chmod(part.name, 0o644)  # the server's user reads it; a temporary file starts private
    os.replace(part.name, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=f"Install the map's country shapes ({PACKAGE}).")
    parser.add_argument(
        "--target",
        type=Path,
        default=Path(os.environ.get("MAP_SHAPES_PATH") or DEFAULT_TARGET),
        help="where to write the shapes (default: $MAP_SHAPES_PATH or var/world-atlas/countries-50m.json)",
    )
    parser.add_argument("--force", action="store_true", help="download again even if present")
    args = parser.parse_args(argv)
    if not args.force and is_valid(args.target):
        print(f"Map shapes present: {args.target}")
        return 0
    try:
        install(download(), args.target)
    except (OSError, ShapesError) as error:
        print(f"Could not install the map shapes ({PACKAGE}): {error}", file=sys.stderr)
        return 1
    print(f"Map shapes installed: {args.target} ({PACKAGE}, Natural Earth, public domain)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
