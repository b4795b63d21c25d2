"""How each engine is told to trust the staging site's certificate when it is signed by ``tls.ca_bundle``.

The suite verifies the site's certificate itself (qa.net.inspect_certificate: expiry, host name, the chain up to
the given CA); the browsers are then told to accept that very certificate, each as it can:

- Chromium: ``--ignore-certificate-errors-spki-list`` with the certificate's public-key hash.
- WebKitGTK (WebDriver): the ``certificates`` browser option (host and PEM file).
- Firefox (BiDi): a certificate override (``cert_override.txt`` in its profile) for that host and port.
"""

from __future__ import annotations

import base64
import hashlib
import ssl


def _tlv(der: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start of the content, end of the content) of the DER element at ``i``."""
    tag, length = der[i], der[i + 1]
    i += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(der[i : i + n], "big")
        i += n
    return tag, i, i + length


def spki_hash(pem: str) -> str:
    """base64(SHA-256(SubjectPublicKeyInfo)) of a certificate: the form Chromium's SPKI list takes."""
    der = ssl.PEM_cert_to_DER_cert(pem)
    _, start, _ = _tlv(der, 0)  # Certificate
    _, i, _ = _tlv(der, start)  # tbsCertificate
    tag, _, end = _tlv(der, i)
    if tag == 0xA0:  # [0] version
        i = end
    for _ in range(5):  # serialNumber, signature, issuer, validity, subject
        _, _, i = _tlv(der, i)
    _, _, end = _tlv(der, i)
    return base64.b64encode(hashlib.sha256(der[i:end]).digest()).decode()


def chromium_args(trusted: tuple[tuple[str, str], ...]) -> list[str]:
    if not trusted:
        return []
    return ["--ignore-certificate-errors-spki-list=" + ",".join(spki_hash(pem) for _, pem in trusted)]


def firefox_overrides(trusted: tuple[tuple[str, str], ...]) -> str:
    """``cert_override.txt``: each ``host:port`` accepts exactly that certificate (its SHA-256 fingerprint)."""
    lines = ["# PSM Certificate Override Settings file", "# This is a generated file!  Do not edit."]
    for host_port, pem in trusted:
        digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest().upper()
        fingerprint = ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
        lines.append(f"{host_port}:\tOID.2.16.840.1.101.3.4.2.1\t{fingerprint}\t")
    return "\n".join(lines) + "\n"
