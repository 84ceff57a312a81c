"""Key material for key pairs, in pure Python: RSA (PKCS#1 PEM) and ed25519 (OpenSSH) keys, and
AWS's fingerprints.

AWS's fingerprints: a created RSA key's is the SHA-1 of its PKCS#8 private key (DER), an imported
RSA key's the MD5 of its public key (DER, SubjectPublicKeyInfo), an ed25519 key's the base64
SHA-256 of its OpenSSH public key blob (as `ssh-keygen -l` prints it). Nothing here is used to
secure anything: instances are processes reached over loopback, not over SSH.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import struct

# --- DER ---------------------------------------------------------------------------------------


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _integer(value: int) -> bytes:
    body = value.to_bytes(value.bit_length() // 8 + 1, "big")
    return _tlv(0x02, body)


def _sequence(*parts: bytes) -> bytes:
    return _tlv(0x30, b"".join(parts))


_RSA_OID = _sequence(bytes.fromhex("06092a864886f70d010101"), b"\x05\x00")


def _pem(label: str, der: bytes) -> str:
    text = base64.b64encode(der).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def _colons(digest: bytes) -> str:
    return ":".join(f"{b:02x}" for b in digest)


# --- RSA ---------------------------------------------------------------------------------------

_SMALL_PRIMES = [p for p in range(3, 2000) if all(p % d for d in range(2, int(p**0.5) + 1))]


def _probable_prime(n: int) -> bool:
    if any(n % p == 0 for p in _SMALL_PRIMES):
        return n in _SMALL_PRIMES
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(24):
        x = pow(secrets.randbelow(n - 3) + 2, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int) -> int:
    while True:
        candidate = secrets.randbits(bits) | (3 << (bits - 2)) | 1
        if (candidate - 1) % 65537 and _probable_prime(candidate):
            return candidate


def rsa_key(bits: int = 2048) -> tuple[str, str]:
    """A new RSA key: (PKCS#1 PEM private key, AWS's fingerprint)."""
    e = 65537
    while True:
        p, q = _prime(bits // 2), _prime(bits // 2)
        if p != q and (p * q).bit_length() == bits:
            break
    n, phi = p * q, (p - 1) * (q - 1)
    d = pow(e, -1, phi)
    pkcs1 = _sequence(
        _integer(0),
        _integer(n),
        _integer(e),
        _integer(d),
        _integer(p),
        _integer(q),
        _integer(d % (p - 1)),
        _integer(d % (q - 1)),
        _integer(pow(q, -1, p)),
    )
    pkcs8 = _sequence(_integer(0), _RSA_OID, _tlv(0x04, pkcs1))
    return _pem("RSA PRIVATE KEY", pkcs1), _colons(hashlib.sha1(pkcs8).digest())


# --- ed25519 -----------------------------------------------------------------------------------

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, -1, _P) % _P
_GY = 4 * pow(5, -1, _P) % _P


def _recover_x(y: int) -> int:
    x2 = (y * y - 1) * pow(_D * y * y + 1, -1, _P)
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * pow(2, (_P - 1) // 4, _P) % _P
    return _P - x if x & 1 else x


_G = (_recover_x(_GY), _GY, 1, _recover_x(_GY) * _GY % _P)


def _add(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    a_ = (y1 - x1) * (y2 - x2) % _P
    b_ = (y1 + x1) * (y2 + x2) % _P
    c = 2 * t1 * t2 * _D % _P
    d = 2 * z1 * z2 % _P
    e, f, g, h = b_ - a_, d - c, d + c, b_ + a_
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _public(seed: bytes) -> bytes:
    h = hashlib.sha512(seed).digest()
    scalar = int.from_bytes(h[:32], "little")
    scalar &= (1 << 254) - 8
    scalar |= 1 << 254
    point, result = _G, (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    x, y, z, _ = result
    zi = pow(z, -1, _P)
    x, y = x * zi % _P, y * zi % _P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _ssh_string(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def ed25519_key() -> tuple[str, str]:
    """A new ed25519 key: (OpenSSH private key, AWS's SHA-256 fingerprint)."""
    seed = secrets.token_bytes(32)
    public = _public(seed)
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(public)
    check = secrets.token_bytes(4)
    private = check + check + blob + _ssh_string(seed + public) + _ssh_string(b"")
    private += bytes(range(1, 1 + (-len(private) % 8)))
    body = (
        b"openssh-key-v1\x00"
        + _ssh_string(b"none")
        + _ssh_string(b"none")
        + _ssh_string(b"")
        + struct.pack(">I", 1)
        + _ssh_string(blob)
        + _ssh_string(private)
    )
    text = base64.b64encode(body).decode()
    lines = [text[i : i + 70] for i in range(0, len(text), 70)]
    pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(lines)
    pem += "\n-----END OPENSSH PRIVATE KEY-----\n"
    return pem, _sha256_fingerprint(blob)


def _sha256_fingerprint(blob: bytes) -> str:
    return base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


# --- imported public keys ----------------------------------------------------------------------


def _read_ssh(blob: bytes) -> list[bytes]:
    parts, offset = [], 0
    while offset < len(blob):
        (size,) = struct.unpack(">I", blob[offset : offset + 4])
        parts.append(blob[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return parts


def imported_key(material: bytes) -> tuple[str, str, str]:
    """(key type, fingerprint, OpenSSH public key) of imported public key material.

    Raises ValueError when the material is not an OpenSSH `ssh-rsa` or `ssh-ed25519` key.
    """
    fields = material.decode("ascii", "replace").split()
    if len(fields) < 2 or fields[0] not in ("ssh-rsa", "ssh-ed25519"):
        raise ValueError("not an OpenSSH public key")
    try:
        blob = base64.b64decode(fields[1], validate=True)
        parts = _read_ssh(blob)
    except (ValueError, struct.error) as exc:
        raise ValueError("not an OpenSSH public key") from exc
    public = " ".join(fields[:2])
    if fields[0] == "ssh-ed25519":
        return "ed25519", _sha256_fingerprint(blob), public
    if len(parts) != 3 or parts[0] != b"ssh-rsa":
        raise ValueError("not an OpenSSH public key")
    e, n = int.from_bytes(parts[1], "big"), int.from_bytes(parts[2], "big")
    spki = _sequence(_RSA_OID, _tlv(0x03, b"\x00" + _sequence(_integer(n), _integer(e))))
    return "rsa", _colons(hashlib.md5(spki).digest()), public
