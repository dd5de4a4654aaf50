"""Every protocol version a service knows, and the version a new pathway starts under.

A patient stays on the protocol version their pathway started under (the one stamped on
their screening and on every decision since): a service decides each event about them under
that version, whichever version it gives new pathways. A service knows every version shipped
in `protocols/`; an upgrade ships the new file to every service first, then raises the
version new pathways start under (intake's `protocol_version`).
"""

import re
from collections.abc import Iterable
from importlib import resources

from carepath_contracts.protocol import (
    ProtocolRef,
    TreatmentProtocol,
    UnknownProtocolError,
    load_protocol,
)

_FILE_NAME = re.compile(r"^(?P<id>[a-z0-9][a-z0-9-]{0,63})\.v(?P<version>[1-9][0-9]{0,3})\.json$")


class ProtocolCatalogue:
    """The protocol versions a service decides under, by the version each patient is on."""

    def __init__(self, protocols: Iterable[TreatmentProtocol], current: ProtocolRef) -> None:
        self._by_ref = {(p.id, p.version): p for p in protocols}
        self.current = self.of(current)
        """The version a new pathway starts under."""

    def of(self, ref: ProtocolRef) -> TreatmentProtocol:
        """The protocol a patient is on; a version this service does not know is refused
        (a dead letter to replay once the service has the file, never a guess)."""
        found = self._by_ref.get((ref.id, ref.version))
        if found is None:
            known = ", ".join(f"{pid} v{version}" for pid, version in sorted(self._by_ref))
            raise UnknownProtocolError(
                f"protocol {ref.id} v{ref.version} is not known to this service (it knows "
                f"{known}): ship the protocol file to every service before pathways start "
                "under it"
            )
        return found

    @property
    def known(self) -> list[ProtocolRef]:
        return [protocol.ref for _, protocol in sorted(self._by_ref.items())]


def shipped_protocol_refs() -> list[ProtocolRef]:
    """Every protocol version shipped in this package, by its file name."""
    folder = resources.files("carepath_contracts") / "protocols"
    refs = []
    for resource in folder.iterdir():
        match = _FILE_NAME.match(resource.name)
        if match:
            refs.append(ProtocolRef(id=match["id"], version=int(match["version"])))
    return sorted(refs, key=lambda ref: (ref.id, ref.version))


def load_catalogue(protocol_id: str, version: int) -> ProtocolCatalogue:
    """Every shipped version, new pathways under `protocol_id` v`version`."""
    protocols = [load_protocol(ref.id, ref.version) for ref in shipped_protocol_refs()]
    return ProtocolCatalogue(protocols, ProtocolRef(id=protocol_id, version=version))
