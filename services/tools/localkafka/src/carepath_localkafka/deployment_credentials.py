"""Bus credentials for a deployment (the compose stack's secure mode), made once in a folder:

    tls/ca.crt, tls/ca.key               the deployment's CA (the key never leaves this folder)
    tls/broker.p12, broker.p12.password  the broker's keystore and its password
    tls/kafka_server_jaas.conf           the broker's own SCRAM login (as admin)
    tls/admin-client.properties          Kafka's tools as admin (the broker's health check)
    principals/<name>.password           one SCRAM password per principal

The folder is 0700; the files that containers mount are 0644 inside it, because each container
runs as its own user and sees only the files it is given (the CA key stays 0600). Nothing here
is ever committed (deploy/secrets/ is ignored).
"""

from pathlib import Path

from carepath_localkafka.credentials import ADMIN, SCRAM_MECHANISM, BrokerCredentials
from carepath_localkafka.tls import TlsFiles, ensure_tls_files

READABLE_IN_CONTAINERS = 0o644


def write_deployment_credentials(
    folder: Path, principals: tuple[str, ...], hostnames: tuple[str, ...]
) -> tuple[TlsFiles, BrokerCredentials]:
    """Makes what is missing (existing passwords and certificates are kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    tls = ensure_tls_files(folder / "tls", hostnames=hostnames)
    credentials = BrokerCredentials(folder / "principals")
    everyone = tuple(dict.fromkeys((ADMIN, *principals)))
    credentials.ensure(everyone)
    admin_password = credentials.password(ADMIN)
    login = f'{_scram_login_module()} username="{ADMIN}" password="{admin_password}";'
    (tls.folder / "kafka_server_jaas.conf").write_text(
        f"KafkaServer {{\n  {login}\n}};\n", encoding="utf-8"
    )
    (tls.folder / "admin-client.properties").write_text(
        "security.protocol=SASL_SSL\n"
        f"sasl.mechanism={SCRAM_MECHANISM}\n"
        f"sasl.jaas.config={login}\n"
        "ssl.truststore.type=PEM\n"
        "ssl.truststore.location=/etc/kafka/secrets/ca.crt\n",
        encoding="utf-8",
    )
    mounted = [
        tls.ca_certificate,
        tls.broker_keystore,
        tls.keystore_password_file,
        tls.folder / "kafka_server_jaas.conf",
        tls.folder / "admin-client.properties",
        *(credentials.password_file(name) for name in everyone),
    ]
    for path in mounted:
        path.chmod(READABLE_IN_CONTAINERS)
    for inner in (tls.folder, credentials.folder):
        inner.chmod(0o755)  # within the 0700 folder: containers reach single files only
    return tls, credentials


def _scram_login_module() -> str:
    return "org.apache.kafka.common.security.scram.ScramLoginModule required"
