"""The protocol catalogue: every shipped version, the one new pathways start under, and a
version a service does not know refused with a reason (never a guess)."""

import pytest

from carepath_contracts import (
    DEFAULT_PROTOCOL_ID,
    ContractError,
    ProtocolRef,
    UnknownProtocolError,
    load_catalogue,
    load_protocol,
)


def ref(version: int) -> ProtocolRef:
    return ProtocolRef(id=DEFAULT_PROTOCOL_ID, version=version)


def test_every_shipped_version_is_known_and_new_pathways_get_the_configured_one():
    catalogue = load_catalogue(DEFAULT_PROTOCOL_ID, 1)

    assert catalogue.known == [ref(1), ref(2)]
    assert catalogue.current.ref == ref(1)
    assert catalogue.of(ref(2)) == load_protocol(DEFAULT_PROTOCOL_ID, 2)
    assert load_catalogue(DEFAULT_PROTOCOL_ID, 2).current.ref == ref(2)


def test_a_version_the_service_does_not_know_is_refused_naming_what_it_knows():
    catalogue = load_catalogue(DEFAULT_PROTOCOL_ID, 1)

    with pytest.raises(UnknownProtocolError) as refused:
        catalogue.of(ref(9))

    assert isinstance(refused.value, ContractError)  # permanent: dead-lettered, replayable
    assert "v9" in str(refused.value) and "ketamine-ptsd-standard v2" in str(refused.value)


def test_new_pathways_under_a_version_that_is_not_shipped_fail_at_start_up():
    with pytest.raises(UnknownProtocolError):
        load_catalogue(DEFAULT_PROTOCOL_ID, 9)
