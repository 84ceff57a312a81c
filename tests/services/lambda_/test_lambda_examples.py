"""The examples under examples/, deployed and invoked with the AWS CLI as their READMEs say."""

from __future__ import annotations

import json
import shutil
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jmespath
import pytest

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _deploy_and_invoke(
    aws_cli: Callable[..., Any],
    tmp_path: Path,
    archive: Path,
    runtime: str,
    handler: str,
    event: Any,
) -> tuple[str, Any]:
    name = f"example-{uuid.uuid4().hex[:8]}"
    aws_cli(
        "lambda", "create-function", "--function-name", name, "--runtime", runtime,
        "--handler", handler, "--zip-file", f"fileb://{archive}",
        "--role", "arn:aws:iam::000000000000:role/lambda-role",
    )  # fmt: skip
    aws_cli("lambda", "wait", "function-active-v2", "--function-name", name)
    (tmp_path / "event.json").write_text(json.dumps(event))
    out = tmp_path / "out.json"
    result = aws_cli(
        "lambda", "invoke", "--function-name", name,
        "--payload", f"fileb://{tmp_path / 'event.json'}", str(out),
    )  # fmt: skip
    assert result["StatusCode"] == 200 and "FunctionError" not in result, out.read_text()
    return name, json.loads(out.read_text())


def _zip(target: Path, files: dict[str, Path]) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, path in files.items():
            archive.write(path, arcname)  # keeps the file's mode, as `zip` does
    return target


def test_python_with_a_dependency(aws_cli: Callable[..., Any], tmp_path: Path) -> None:
    example = EXAMPLES / "lambda-python-deps"
    package = tmp_path / "package"  # what `pip install -r requirements.txt -t package` makes
    shutil.copytree(Path(jmespath.__file__).parent, package / "jmespath")
    shutil.copy(example / "app.py", package / "app.py")
    files = {str(p.relative_to(package)): p for p in package.rglob("*") if p.is_file()}
    archive = _zip(tmp_path / "function.zip", files)
    event = {"orders": [{"id": 1, "total": 50}, {"id": 2, "total": 150}]}
    _, body = _deploy_and_invoke(aws_cli, tmp_path, archive, "python3.11", "app.handler", event)
    assert body == {"query": "orders[?total > `100`].id", "result": [2]}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node(aws_cli: Callable[..., Any], tmp_path: Path) -> None:
    archive = _zip(tmp_path / "function.zip", {"index.js": EXAMPLES / "lambda-node" / "index.js"})
    event = {"text": "the quick brown fox"}
    _, body = _deploy_and_invoke(aws_cli, tmp_path, archive, "nodejs20.x", "index.handler", event)
    assert body == {"words": 4, "longest": "quick"}


@pytest.mark.skipif(shutil.which("curl") is None, reason="the shell bootstrap needs curl")
def test_provided_shell_bootstrap(aws_cli: Callable[..., Any], tmp_path: Path) -> None:
    bootstrap = EXAMPLES / "lambda-provided-shell" / "bootstrap"
    archive = _zip(tmp_path / "function.zip", {"bootstrap": bootstrap})
    name, body = _deploy_and_invoke(
        aws_cli, tmp_path, archive, "provided.al2023", "function.handler", {"hello": "world"}
    )
    assert body == {"received": {"hello": "world"}, "handled_by": "shell", "function": name}
