"""A local certificate authority and the broker's TLS certificate, made on first use.

The CA signs one broker certificate (server and client use: the broker authenticates itself
to its own controller with it). Clients trust the CA's certificate (`ca.crt`); the broker
reads a PKCS#12 keystore whose password is in a file beside it. Private keys are written
0600 and never leave the folder they are made in.
"""

import datetime
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

BROKER_COMMON_NAME = "carepath-kafka-broker"
# The principal Kafka derives from the broker certificate (the full subject DN).
BROKER_PRINCIPAL = f"User:CN={BROKER_COMMON_NAME}"
VALID_DAYS = 825  # the longest validity clients commonly accept for a server certificate


@dataclass(frozen=True)
class TlsFiles:
    """The TLS files of one broker, in one folder."""

    folder: Path

    @property
    def ca_certificate(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca_key(self) -> Path:
        return self.folder / "ca.key"

    @property
    def broker_keystore(self) -> Path:
        return self.folder / "broker.p12"

    @property
    def keystore_password_file(self) -> Path:
        return self.folder / "broker.p12.password"

    @property
    def keystore_password(self) -> str:
        return self.keystore_password_file.read_text(encoding="utf-8").strip()

    def exist(self) -> bool:
        return all(
            path.is_file()
            for path in (self.ca_certificate, self.broker_keystore, self.keystore_password_file)
        )


def ensure_tls_files(folder: Path, hostnames: tuple[str, ...] = ("localhost",)) -> TlsFiles:
    """The CA and broker certificate in `folder`, made now if they are not there yet.

    `hostnames` (and 127.0.0.1) go into the broker certificate, so clients can check the name
    they connect to.
    """
    files = TlsFiles(folder)
    if files.exist():
        return files
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Carepath local Kafka CA")])
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    broker_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in hostnames]
    names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    broker_certificate = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, BROKER_COMMON_NAME)]))
        .issuer_name(ca_name)
        .public_key(broker_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(24)
    keystore = pkcs12.serialize_key_and_certificates(
        b"broker",
        broker_key,
        broker_certificate,
        [ca_certificate],
        serialization.BestAvailableEncryption(password.encode()),
    )
    ca_key_pem = ca_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(files.ca_key, ca_key_pem)
    _write_private(files.keystore_password_file, password.encode())
    _write_private(files.broker_keystore, keystore)
    # Written last: its presence (with the others) means the folder is complete.
    files.ca_certificate.write_bytes(ca_certificate.public_bytes(serialization.Encoding.PEM))
    return files


def _write_private(path: Path, content: bytes) -> None:
    """Created 0600 from the start: the secret is never readable by others, not even briefly."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
