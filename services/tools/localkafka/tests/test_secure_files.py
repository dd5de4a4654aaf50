"""The secure broker's files, without starting it: certificates, passwords, server.properties."""

import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12

from carepath_localkafka import LocalKafka, LocalKafkaError
from carepath_localkafka.credentials import BrokerCredentials
from carepath_localkafka.data_layout import BrokerLayout
from carepath_localkafka.server_config import SecureListeners, write_broker_config
from carepath_localkafka.tls import BROKER_COMMON_NAME, ensure_tls_files


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_broker_certificate_is_signed_by_the_local_ca_and_keys_stay_private(tmp_path) -> None:
    files = ensure_tls_files(tmp_path / "tls", hostnames=("kafka", "localhost"))
    ca = x509.load_pem_x509_certificate(files.ca_certificate.read_bytes())
    key, broker, _chain = pkcs12.load_key_and_certificates(
        files.broker_keystore.read_bytes(), files.keystore_password.encode()
    )
    broker.verify_directly_issued_by(ca)
    names = broker.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(names.get_values_for_type(x509.DNSName)) == {"kafka", "localhost"}
    assert broker.subject.rfc4514_string() == f"CN={BROKER_COMMON_NAME}"
    assert key is not None
    for secret in (files.ca_key, files.broker_keystore, files.keystore_password_file):
        assert mode(secret) == 0o600, secret
    assert mode(files.folder) == 0o700
    # Made once: a second call keeps the same CA (clients keep trusting it).
    again = ensure_tls_files(tmp_path / "tls")
    assert again.ca_certificate.read_bytes() == files.ca_certificate.read_bytes()


def test_each_principal_gets_its_own_private_password(tmp_path) -> None:
    credentials = BrokerCredentials(tmp_path / "secrets")
    credentials.ensure(("admin", "intake"))
    assert credentials.password("admin") != credentials.password("intake")
    assert mode(credentials.password_file("intake")) == 0o600
    assert mode(credentials.folder) == 0o700
    with pytest.raises(ValueError):
        credentials.ensure(("Not A Slug",))


def test_the_secure_broker_denies_what_is_not_granted(tmp_path) -> None:
    layout = BrokerLayout(tmp_path)
    secure = SecureListeners(tls=ensure_tls_files(tmp_path / "tls"), admin_password="pw")
    write_broker_config(layout, port=19092, controller_port=19093, secure=secure)
    properties = dict(
        line.split("=", 1)
        for line in layout.server_properties.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    )
    assert properties["listeners"] == "CLIENT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert properties["listener.security.protocol.map"] == "CONTROLLER:SSL,CLIENT:SASL_SSL"
    assert properties["sasl.enabled.mechanisms"] == "SCRAM-SHA-512"
    assert properties["authorizer.class.name"].endswith("StandardAuthorizer")
    assert properties["allow.everyone.if.no.acl.found"] == "false"
    assert properties["super.users"] == f"User:admin;User:CN={BROKER_COMMON_NAME}"
    # Only the broker's own certificate opens the controller listener.
    assert properties["listener.name.controller.ssl.client.auth"] == "required"
    assert mode(layout.server_properties) == 0o600


def test_a_folder_formatted_without_security_is_not_started_secure(tmp_path) -> None:
    (tmp_path / "kraft").mkdir()
    (tmp_path / "kraft" / "meta.properties").write_text("cluster.id=x\n")
    kafka = LocalKafka(port=19092, data_dir=tmp_path, secure=True, principals=("intake",))
    with pytest.raises(LocalKafkaError, match="is plaintext; a secure broker needs its own"):
        kafka._prepare_security()
