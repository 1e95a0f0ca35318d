"""RFC 3161 trusted timestamps: asking a timestamping authority (TSA), checking its tokens.

A token is the TSA's signature over a digest and a time: it proves the digested bytes
existed then, whoever keeps them. tearsheet stamps captures in batches: the digests of the
captures stored since the last batch (``sha256:…`` of each raw WARC record) are listed one
per line, sorted, in a *manifest*, and the manifest's SHA-256 is stamped once. A version's
proof is then the token, the manifest, and its record's digest being in it: checkable with
``openssl ts -verify -digest $(sha256sum manifest) …`` and ``grep``. One request per batch
instead of per version is what lets a public TSA serve a tracker storing thousands a day.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from tearsheet.errors import TimestampError

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
    "sha224": hashes.SHA224, "sha1": hashes.SHA1}


def manifest(digests: Iterable[str]) -> bytes:
    """The manifest of a batch: each distinct ``sha256:…`` digest on its own line, sorted."""
    return "".join(f"{d}\n" for d in sorted(set(digests))).encode("ascii")


def manifest_digests(data: bytes) -> set[str]:
    return {line for line in data.decode("ascii", "replace").splitlines() if line}


def request(digest: bytes, nonce: int) -> bytes:
    """A TimeStampReq (DER) for a SHA-256 ``digest``, asking for the TSA's certificate."""
    query: bytes = tsp.TimeStampReq({
        "version": 1,
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"},
                            "hashed_message": digest},
        "nonce": nonce, "cert_req": True}).dump()
    return query


def token_from_reply(reply: bytes, digest: bytes, nonce: int) -> bytes:
    """The token (a CMS SignedData, DER) of a TimeStampResp, once it is seen to answer
    the request: granted, for this digest, with this nonce."""
    try:
        response = tsp.TimeStampResp.load(reply)
        status = response["status"]["status"].native
        if status not in ("granted", "granted_with_mods"):
            text = response["status"]["status_string"].native or []
            raise TimestampError(f"the TSA refused the request: {status} "
                                 f"{'; '.join(text)}".strip())
        token = response["time_stamp_token"]
        info = _tst_info(token)
        imprint = info["message_imprint"]["hashed_message"].native
        if imprint != digest:
            raise TimestampError("the TSA stamped another digest than the one asked")
        if info["nonce"].native != nonce:
            raise TimestampError("the TSA's reply does not carry the request's nonce")
        data: bytes = token.dump()
        return data
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"the TSA's reply is not a valid RFC 3161 response ({exc})") from None


class Client:
    """Asks one TSA for tokens over HTTP (RFC 3161, section 3.4)."""

    def __init__(self, url: str, *, timeout: float = 20.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self._client = client

    async def stamp(self, digest: bytes) -> tuple[bytes, Stamp]:
        """A token over ``digest`` (SHA-256) and what it says, once verified; or
        :class:`TimestampError`."""
        nonce = secrets.randbits(63)
        body = request(digest, nonce)
        headers = {"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE}
        try:
            if self._client is not None:
                reply = await self._client.post(self.url, content=body, headers=headers,
                                                timeout=self.timeout)
            else:
                async with httpx.AsyncClient(timeout=self.timeout) as client:
                    reply = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise TimestampError(f"{self.url}: {exc.__class__.__name__}: {exc}") from None
        if reply.status_code != 200:
            raise TimestampError(f"{self.url}: HTTP {reply.status_code}")
        token = token_from_reply(reply.content, digest, nonce)
        return token, verify(token, digest)


@dataclass(frozen=True)
class Stamp:
    """What a token that verified says."""

    time: datetime
    tsa: str  # the signing certificate's subject, e.g. "CN=FreeTSA,O=…"
    serial: int
    policy: str
    trusted: bool | None  # chain to a trusted root: checked and held, or None: not checked


def verify(token: bytes, digest: bytes,
           trusted: Sequence[x509.Certificate] | None = None) -> Stamp:
    """Check a token over ``digest``: its imprint, its signature by the certificate it
    carries (which must be for timestamping), and with ``trusted`` roots, that certificate's
    chain to one of them. :class:`TimestampError` says which does not hold."""
    try:
        content = cms.ContentInfo.load(token)
        info = _tst_info(content)
        signed = content["content"]
        imprint = info["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if algorithm != "sha256" or imprint["hashed_message"].native != digest:
            raise TimestampError("the token stamps another digest: the stamped bytes were "
                                 "changed")
        signer = signed["signer_infos"][0]
        certificates = [c.chosen for c in signed["certificates"] or []
                        if c.name == "certificate"]
        cert = _signer_certificate(signer, certificates)
        _check_signature(signer, signed["encap_content_info"]["content"].contents, cert)
        time = info["gen_time"].native
        stamp = Stamp(time, cert.subject.rfc4514_string(), int(info["serial_number"].native),
                      str(info["policy"].dotted), None)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TimestampError(f"not a valid RFC 3161 token ({exc})") from None
    eku = _extension(cert, x509.ExtendedKeyUsage)
    if eku is None or ExtendedKeyUsageOID.TIME_STAMPING not in eku:
        raise TimestampError(f"the token's certificate ({stamp.tsa}) is not one for "
                             "timestamping")
    if trusted is not None:
        others = [x509.load_der_x509_certificate(c.dump()) for c in certificates]
        _check_chain(cert, others, trusted, time)
        stamp = Stamp(stamp.time, stamp.tsa, stamp.serial, stamp.policy, True)
    return stamp


def _tst_info(content: Any) -> Any:
    if content["content_type"].native != "signed_data":
        raise TimestampError("the token is not a CMS SignedData")
    encap = content["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise TimestampError("the token does not hold a TSTInfo")
    return encap["content"].parsed


def _signer_certificate(signer: Any, certificates: list[Any]) -> x509.Certificate:
    sid = signer["sid"]
    for cert in certificates:
        if sid.name == "issuer_and_serial_number":
            if (cert.issuer == sid.chosen["issuer"]
                    and cert.serial_number == sid.chosen["serial_number"].native):
                return x509.load_der_x509_certificate(cert.dump())
        elif cert.key_identifier == sid.chosen.native:
            return x509.load_der_x509_certificate(cert.dump())
    raise TimestampError("the token does not carry the TSA's certificate (stamped without "
                         "certReq?)")


def _check_signature(signer: Any, content: bytes, cert: x509.Certificate) -> None:
    algorithm = signer["digest_algorithm"]["algorithm"].native
    if algorithm not in _HASHES:
        raise TimestampError(f"the token is signed with an unsupported digest ({algorithm})")
    hash_algorithm = _HASHES[algorithm]()
    attrs = signer["signed_attrs"]
    if not attrs:
        raise TimestampError("the token has no signed attributes")
    digests = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
    hasher = hashes.Hash(_HASHES[algorithm]())
    hasher.update(content)
    if digests != [hasher.finalize()]:
        raise TimestampError("the token's TSTInfo was changed after the TSA signed it")
    data = b"\x31" + attrs.dump()[1:]  # signed as a SET OF, stored [0] IMPLICIT
    signature = signer["signature"].native
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            scheme = signer["signature_algorithm"].signature_algo
            pad: padding.AsymmetricPadding = (
                padding.PSS(padding.MGF1(hash_algorithm), padding.PSS.AUTO)
                if scheme == "rsassa_pss" else padding.PKCS1v15())
            key.verify(signature, data, pad, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_algorithm))
        else:
            raise TimestampError("the TSA's key is neither RSA nor ECDSA")
    except InvalidSignature:
        raise TimestampError("the TSA's signature over the token does not verify") from None


def _extension(cert: x509.Certificate, kind: type[Any]) -> Any:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _check_chain(cert: x509.Certificate, others: list[x509.Certificate],
                 trusted: Sequence[x509.Certificate], at: datetime) -> None:
    """From the TSA's certificate up to a trusted one, each signed by the next, each valid
    at the stamped time."""
    roots = {c.fingerprint(hashes.SHA256()): c for c in trusted}
    current, seen = cert, 0
    while seen < 8:
        if not current.not_valid_before_utc <= at <= current.not_valid_after_utc:
            raise TimestampError(f"{current.subject.rfc4514_string()} was not valid at the "
                                 f"stamped time {at.isoformat()}")
        if current.fingerprint(hashes.SHA256()) in roots:
            return
        for issuer in [*trusted, *others]:
            if issuer.subject != current.issuer or issuer == current:
                continue
            try:
                current.verify_directly_issued_by(issuer)
            except (ValueError, TypeError, InvalidSignature):
                continue
            current, seen = issuer, seen + 1
            break
        else:
            raise TimestampError(f"the TSA's certificate ({cert.subject.rfc4514_string()}) "
                                 "does not chain to a trusted certificate")
    raise TimestampError("the TSA's certificate chain is too long")


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Trusted roots from a PEM bundle (``proof.tsa_ca_file``, ``--tsa-ca``)."""
    try:
        return x509.load_pem_x509_certificates(pem)
    except ValueError as exc:
        raise TimestampError(f"not a PEM certificate bundle ({exc})") from None


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()
