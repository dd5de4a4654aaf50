"""Creates Kafka ACLs (CreateAcls, API key 30) from `Grant`s; idempotent.

aiokafka's admin client has no ACL calls, but its protocol module has the CreateAcls request
and response; this sends one request with every grant, the way aiokafka's own admin calls do.
Creating an ACL that exists already succeeds and changes nothing.
"""

from collections.abc import Sequence

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import for_code
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.protocol.api import Request

from carepath_runtime.bus import Bus
from carepath_runtime.bus_grants import Grant

# The wire codes of Kafka's ResourceType, PatternType, AclOperation and AclPermissionType.
_RESOURCE = {"topic": 2, "group": 3, "cluster": 4}
_PATTERN = {"literal": 3, "prefixed": 4}
_OPERATION = {"read": 3, "write": 4, "describe": 8}
_ALLOW = 3
_ANY_HOST = "*"


class AclsNotCreatedError(RuntimeError):
    """The broker refused one or more of the ACLs (the message names them)."""


class _CreateAcls(Request[CreateAclsRequest_v1]):
    API_KEY = 30

    def __init__(self, grants: Sequence[Grant]) -> None:
        self._creations = [
            (
                _RESOURCE[grant.resource],
                grant.name,
                _PATTERN[grant.pattern],
                f"User:{grant.principal}",
                _ANY_HOST,
                _OPERATION[grant.operation],
                _ALLOW,
            )
            for grant in grants
        ]

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class(self._creations)


async def create_acls(bus: Bus | str, grants: Sequence[Grant]) -> None:
    """Creates every grant as an ALLOW ACL for any host; needs a principal with ALTER on the
    cluster (the `admin` super user)."""
    if not grants:
        return
    admin = AIOKafkaAdminClient(**Bus.of(bus).client_options())
    await admin.start()
    try:
        response = await admin._send_request(_CreateAcls(grants))
    finally:
        await admin.close()
    refused = [
        f"{grant.operation} {grant.resource} {grant.name} for {grant.principal}: "
        f"{message or for_code(code).description}"
        for grant, (code, message) in zip(grants, response.creation_responses, strict=True)
        if code != 0
    ]
    if refused:
        raise AclsNotCreatedError("ACLs refused: " + "; ".join(refused))
