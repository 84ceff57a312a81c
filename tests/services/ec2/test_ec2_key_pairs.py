"""Key pairs: created with key material (RSA, ed25519), imported, described, deleted."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

Error = Callable[[Any], tuple[str, str, int]]
PUBLIC_KEY = (Path(__file__).parent / "templates" / "id_ed25519.pub").read_text()


def test_create_rsa_key_pair(ec2: Any, name: Callable[[str], str]) -> None:
    key_name = name("key")
    created = ec2.create_key_pair(KeyName=key_name)
    assert created["KeyMaterial"].startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert created["KeyPairId"].startswith("key-")
    assert len(created["KeyFingerprint"].split(":")) == 20  # SHA-1 of the private key
    (described,) = ec2.describe_key_pairs(KeyNames=[key_name])["KeyPairs"]
    assert described["KeyType"] == "rsa"
    assert described["KeyFingerprint"] == created["KeyFingerprint"]
    assert "KeyMaterial" not in described


def test_create_ed25519_key_pair(ec2: Any, name: Callable[[str], str]) -> None:
    created = ec2.create_key_pair(KeyName=name("key"), KeyType="ed25519")
    assert created["KeyMaterial"].startswith("-----BEGIN OPENSSH PRIVATE KEY-----\n")
    assert len(base64.b64decode(created["KeyFingerprint"] + "=")) == 32


def test_import_key_pair(ec2: Any, name: Callable[[str], str]) -> None:
    key_name = name("imported")
    imported = ec2.import_key_pair(KeyName=key_name, PublicKeyMaterial=PUBLIC_KEY.encode())
    blob = base64.b64decode(PUBLIC_KEY.split()[1])
    expected = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    assert imported["KeyFingerprint"] == expected
    (described,) = ec2.describe_key_pairs(KeyNames=[key_name], IncludePublicKey=True)["KeyPairs"]
    assert described["KeyType"] == "ed25519"
    assert described["PublicKey"] == " ".join(PUBLIC_KEY.split()[:2])


def test_key_pair_errors(ec2: Any, name: Callable[[str], str], aws_error: Error) -> None:
    key_name = name("key")
    ec2.create_key_pair(KeyName=key_name, KeyType="ed25519")
    with pytest.raises(ClientError) as raised:
        ec2.create_key_pair(KeyName=key_name)
    assert aws_error(raised.value) == (
        "InvalidKeyPair.Duplicate",
        f"The keypair '{key_name}' already exists.",
        400,
    )
    with pytest.raises(ClientError) as raised:
        ec2.import_key_pair(KeyName=name("bad"), PublicKeyMaterial=b"not a key")
    assert aws_error(raised.value) == (
        "InvalidKey.Format",
        "Key is not in valid OpenSSH public key format",
        400,
    )
    ec2.delete_key_pair(KeyName=key_name)
    with pytest.raises(ClientError) as raised:
        ec2.describe_key_pairs(KeyNames=[key_name])
    assert aws_error(raised.value) == (
        "InvalidKeyPair.NotFound",
        f"The key pair '{key_name}' does not exist",
        400,
    )
    assert ec2.delete_key_pair(KeyName=key_name)["Return"] is True
