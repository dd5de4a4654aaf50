"""Random pseudonymous ids: nothing in them can be traced back to the person."""

import secrets

ID_HEX_BYTES = 8


def new_patient_id() -> str:
    return f"p-{secrets.token_hex(ID_HEX_BYTES)}"


def new_pathway_id() -> str:
    return f"pw-{secrets.token_hex(ID_HEX_BYTES)}"
