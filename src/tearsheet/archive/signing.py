"""The signing key and the WACZ signature (the "anonymous" form of the WACZ signing spec).

A proof package's ``datapackage-digest.json`` carries ``signedData``: the hash of
``datapackage.json``, when and by what it was made, an ECDSA signature of that hash and the
public key. Anyone can check the signature with the key in the package; that the key is this
tearsheet's is checked against what it publishes (``/.well-known/tearsheet-key``,
``tearsheet keys``), which is why every report names the key by its fingerprint.

The key is ECDSA on ``proof.curve`` — P-256 by default, or P-384 — with SHA-256, and the
signature is ``r || s`` (IEEE P1363) over the UTF-8 bytes of the hash string: what
ArchiveWeb.page signs and ReplayWeb.page verifies. ReplayWeb.page imports every key as P-384,
so only a P-384 package shows a valid signature there; :func:`verify` accepts both. The
private key is made on first use, written with 0600 permissions, and refused when others can
read it or when it is not on the configured curve.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from tearsheet.archive.warc import data_dir
from tearsheet.config import Settings
from tearsheet.errors import ProofError

SPEC_VERSION = "0.1.0"
"""The WACZ Signing and Verification spec this follows (its ``version`` field)."""

CURVES: dict[str, type[ec.EllipticCurve]] = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1}
"""The curves a key may be on, by the name ``proof.curve`` and WebCrypto give them."""
DEFAULT_CURVE = "P-256"
ANONYMOUS_FIELDS = frozenset({"hash", "created", "software", "version", "signature",
                              "publicKey"})
REQUIRED_FIELDS = frozenset({"hash", "created", "signature", "publicKey"})


def key_path(settings: Settings) -> Path:
    """``proof.key_file``, else ``tearsheet-signing-key.pem`` in the data directory."""
    if settings.proof.key_file is not None:
        return settings.proof.key_file.expanduser()
    return data_dir(settings) / "tearsheet-signing-key.pem"


def curve_name(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> str | None:
    """``P-256`` or ``P-384``; None for any other curve."""
    return next((name for name, kind in CURVES.items() if isinstance(key.curve, kind)), None)


def fingerprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """``sha256:`` and the hex SHA-256 of the key's SubjectPublicKeyInfo (DER): the name a
    person compares with the published one."""
    der = public_key.public_bytes(serialization.Encoding.DER,
                                  serialization.PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(der).hexdigest()


class SigningKey:
    """The private key proof packages are signed with."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, path: Path | None = None) -> None:
        self.private_key = private_key
        self.path = path

    @classmethod
    def generate(cls, curve: str = DEFAULT_CURVE) -> SigningKey:
        return cls(ec.generate_private_key(CURVES[curve]()))

    @classmethod
    def from_settings(cls, settings: Settings) -> SigningKey:
        """The key at ``proof.key_file``, on ``proof.curve`` (made if there is none)."""
        return cls.load_or_create(key_path(settings), settings.proof.curve)

    @classmethod
    def load_or_create(cls, path: Path, curve: str = DEFAULT_CURVE) -> SigningKey:
        """The key at ``path``; a new one on ``curve`` written there (0600) if there is
        none. A key on another curve is refused: packages would be signed with a curve the
        settings do not say (which decides whether ReplayWeb.page shows them as valid)."""
        path = path.expanduser()
        if not path.exists():
            key = cls.generate(curve)
            key.save(path)
            return key
        mode = path.stat().st_mode
        if mode & 0o077:
            raise ProofError(f"{path}: the signing key is readable by other users (mode "
                             f"{mode & 0o777:o}); run `chmod 600 {path}` if it was not shared, "
                             "or delete it to make a new key")
        try:
            loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (OSError, ValueError, TypeError) as exc:
            raise ProofError(f"{path}: cannot read the signing key ({exc})") from None
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ProofError(f"{path}: not an ECDSA private key")
        found = curve_name(loaded)
        if found is None:
            raise ProofError(f"{path}: the signing key is on {loaded.curve.name}; only "
                             f"{' and '.join(CURVES)} keys sign proof packages (proof.curve)")
        if found != curve:
            raise ProofError(f'{path}: the signing key is on {found}, but the setting '
                             f'proof.curve is "{curve}"; set proof.curve = "{found}" to keep '
                             f"signing with this key, or move the file away to make a new "
                             f"{curve} key")
        return cls(loaded, path)

    def save(self, path: Path) -> None:
        """Write the key to a new file only its owner can read (never over another key)."""
        pem = self.private_key.private_bytes(serialization.Encoding.PEM,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise ProofError(f"{path}: a key is already there; not replaced") from None
        except OSError as exc:
            raise ProofError(f"{path}: cannot write the signing key ({exc})") from None
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        self.path = path

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self.private_key.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    @property
    def curve(self) -> str:
        return str(curve_name(self.private_key))

    def public_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")

    def public_base64(self) -> str:
        """The public key as the signing spec's ``publicKey``: base64 of SPKI DER."""
        return base64.b64encode(self.public_key.public_bytes(
            serialization.Encoding.DER,
            serialization.PublicFormat.SubjectPublicKeyInfo)).decode("ascii")

    def sign(self, package_hash: str, created: str, software: str) -> dict[str, str]:
        """The ``signedData`` of a package whose ``datapackage.json`` hashes to
        ``package_hash`` (``sha256:…``); ``created`` must be the package's own."""
        der = self.private_key.sign(package_hash.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        size = (self.private_key.curve.key_size + 7) // 8
        raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
        return {"hash": package_hash, "created": created, "software": software,
                "version": SPEC_VERSION, "signature": base64.b64encode(raw).decode("ascii"),
                "publicKey": self.public_base64()}


@dataclass(frozen=True)
class Signature:
    """A signature that verified: by which key, when it says it was made."""

    fingerprint: str
    created: str
    software: str
    curve: str = DEFAULT_CURVE


def verify(signed: Any, package_hash: str) -> Signature:
    """Check ``signedData`` against the package's hash; the signer's key, or
    :class:`ProofError` saying what does not hold."""
    if not isinstance(signed, dict):
        raise ProofError("signedData is not a JSON object")
    missing = sorted(REQUIRED_FIELDS - signed.keys())
    if missing:
        raise ProofError(f"signedData lacks {', '.join(missing)} (only anonymous signatures "
                         "with a publicKey are checked)")
    unknown = sorted(signed.keys() - ANONYMOUS_FIELDS)
    if unknown:
        raise ProofError(f"signedData has fields the anonymous signature form does not: "
                         f"{', '.join(unknown)}")
    if signed["hash"] != package_hash:
        raise ProofError(f"signedData signs {signed['hash']}, not this package's "
                         f"datapackage.json ({package_hash})")
    try:
        key = serialization.load_der_public_key(base64.b64decode(signed["publicKey"],
                                                                 validate=True))
        signature = base64.b64decode(signed["signature"], validate=True)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ProofError(f"signedData: unreadable publicKey or signature ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or curve_name(key) is None:
        raise ProofError(f"signedData: publicKey is not an ECDSA key on "
                         f"{' or '.join(CURVES)}")
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size:  # r || s, as WebCrypto makes them
        signature = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                         int.from_bytes(signature[size:], "big"))
    try:
        key.verify(signature, package_hash.encode("utf-8"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ProofError("the signature does not verify: datapackage-digest.json was not "
                         "signed by the key it names, or was changed after signing") from None
    return Signature(fingerprint(key), str(signed["created"]), str(signed.get("software", "")),
                     str(curve_name(key)))


def read_fingerprint(value: str) -> str:
    """A key named on the command line: a fingerprint (``sha256:…``), or a PEM file of the
    public key (as ``tearsheet keys`` prints it)."""
    if value.startswith("sha256:"):
        return value.lower()
    try:
        key = serialization.load_pem_public_key(Path(value).expanduser().read_bytes())
    except (OSError, ValueError) as exc:
        raise ProofError(f"{value}: neither a key fingerprint (sha256:…) nor a readable PEM "
                         f"public key ({exc})") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ProofError(f"{value}: not an ECDSA public key")
    return fingerprint(key)
