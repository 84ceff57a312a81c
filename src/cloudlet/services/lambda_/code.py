"""Deployment packages and layers on disk: validated, content-addressed, unpacked once.

    <data_dir>/lambda/zips/<sha256 hex>.zip      the archive as uploaded (GetFunction's Code)
    <data_dir>/lambda/code/<sha256 hex>/         its unpacked tree (LAMBDA_TASK_ROOT, a layer)
    <data_dir>/lambda/opt/<hash of layers>/      layers merged in order, as AWS lays out /opt

An archive is checked before anything is written: it must be a zip, no entry may escape the
directory it unpacks into (absolute paths, `..`, symlinks pointing out), and the unpacked size
must stay under AWS's 250 MB (counted while writing, so a lying header cannot get past it).
File modes stored in the archive are kept, so a `bootstrap` marked executable stays executable.
Identical archives share one tree; trees are never modified after unpacking.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cloudlet.errors import ServiceError
from cloudlet.services.lambda_.models import UNZIPPED_LIMIT, ZIPPED_LIMIT, invalid

_UNZIP_ERROR = "Could not unzip uploaded file. Please check your file, then try to upload again."


@dataclass(frozen=True)
class Package:
    """One stored deployment package."""

    digest: str
    """sha256 hex of the archive: names its files."""
    sha256: str
    """base64 sha256, as `CodeSha256` reports it."""
    size: int
    """Archive size in bytes (`CodeSize`)."""
    unpacked_size: int


class CodeStore:
    """Archives and trees under `<data_dir>/lambda`."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "lambda"
        for sub in ("zips", "code", "opt", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)

    def add(self, archive: bytes) -> Package:
        """Validate, store and unpack `archive`; raises InvalidParameterValueException."""
        if len(archive) > ZIPPED_LIMIT:
            raise ServiceError(
                f"Request must be smaller than {ZIPPED_LIMIT} bytes for the operation.",
                code="RequestEntityTooLargeException",
                status_code=413,
            )
        digest = hashlib.sha256(archive).digest()
        hex_digest = digest.hex()
        tree = self.tree(hex_digest)
        unpacked = unpack(archive, tree) if not tree.is_dir() else _tree_size(tree)
        zip_path = self.root / "zips" / f"{hex_digest}.zip"
        if not zip_path.exists():
            partial = zip_path.with_suffix(".part")
            partial.write_bytes(archive)
            partial.replace(zip_path)
        return Package(hex_digest, base64.b64encode(digest).decode(), len(archive), unpacked)

    def tree(self, digest: str) -> Path:
        return self.root / "code" / digest

    def archive(self, digest: str) -> Path:
        return self.root / "zips" / f"{digest}.zip"

    def opt_dir(self, layer_digests: list[str]) -> Path | None:
        """The merged /opt of these layers (in order: later ones win), built on first use."""
        if not layer_digests:
            return None
        key = hashlib.sha256(":".join(layer_digests).encode()).hexdigest()[:32]
        target = self.root / "opt" / key
        if target.is_dir():
            return target
        partial = self.root / "opt" / f"{key}.part{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        for digest in layer_digests:
            _merge(self.tree(digest), partial)
        try:
            partial.rename(target)
        except OSError:  # built meanwhile by another call
            shutil.rmtree(partial, ignore_errors=True)
        return target

    def scratch(self, name: str) -> Path:
        """A fresh per-environment /tmp."""
        path = self.root / "tmp" / name
        path.mkdir(parents=True, exist_ok=True)
        return path


def unpack(archive: bytes, target: Path) -> int:
    """Check and unpack `archive` into `target` (created atomically); returns bytes written."""
    try:
        bundle = zipfile.ZipFile(io.BytesIO(archive))
        entries = bundle.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise invalid(_UNZIP_ERROR) from exc
    declared = 0
    for entry in entries:
        _check_name(entry.filename)
        declared += entry.file_size
    if declared > UNZIPPED_LIMIT:
        raise invalid(f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes")
    partial = target.with_name(f"{target.name}.part{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        written = _extract(bundle, entries, partial)
        try:
            partial.rename(target)
        except OSError:  # the same archive was unpacked meanwhile
            shutil.rmtree(partial, ignore_errors=True)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return written


def _check_name(name: str) -> None:
    normalized = name.replace("\\", "/")
    parts = PurePosixPath(normalized).parts
    if normalized.startswith("/") or ".." in parts or (parts and ":" in parts[0]):
        raise invalid(f"{_UNZIP_ERROR} The entry '{name}' points outside the code directory.")


def _extract(bundle: zipfile.ZipFile, entries: list[zipfile.ZipInfo], root: Path) -> int:
    written = 0
    for entry in entries:
        path = root / entry.filename
        mode = entry.external_attr >> 16
        if entry.is_dir():
            path.mkdir(parents=True, exist_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if stat.S_ISLNK(mode):
                link = bundle.read(entry).decode()
                resolved = (path.parent / link).resolve()
                if PurePosixPath(link).is_absolute() or not resolved.is_relative_to(root.resolve()):
                    raise invalid(
                        f"{_UNZIP_ERROR} The link '{entry.filename}' points outside the code"
                        " directory."
                    )
                path.symlink_to(link)
                continue
            with bundle.open(entry) as source, open(path, "wb") as sink:
                while chunk := source.read(1 << 20):
                    written += len(chunk)
                    if written > UNZIPPED_LIMIT:
                        raise invalid(f"Unzipped size must be smaller than {UNZIPPED_LIMIT} bytes")
                    sink.write(chunk)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            ValueError,
            EOFError,
            UnicodeDecodeError,
        ) as exc:
            raise invalid(_UNZIP_ERROR) from exc
        os.chmod(path, (mode & 0o777) or 0o644)
    return written


def _tree_size(tree: Path) -> int:
    return sum(f.stat().st_size for f in tree.rglob("*") if f.is_file() and not f.is_symlink())


def _merge(source: Path, target: Path) -> None:
    """Copy `source` over `target` (hard links where possible: trees are immutable)."""
    for directory, _, files in os.walk(source):
        relative = Path(directory).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in files:
            src, dst = Path(directory) / name, target / relative / name
            if dst.exists() or dst.is_symlink():
                dst.unlink()
            if src.is_symlink():
                dst.symlink_to(os.readlink(src))
                continue
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
