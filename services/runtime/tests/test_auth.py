from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from carepath_runtime.auth import TokenRoles, require_role, token_digest


def make_client() -> TestClient:
    tokens = TokenRoles(
        hashes={token_digest("clin-token"): "clinician"},
        plain={"integration": SecretStr("int-token")},
    )
    app = FastAPI()

    @app.get("/clinical", dependencies=[Depends(require_role(lambda: tokens, ["clinician"]))])
    def clinical() -> dict[str, bool]:
        return {"ok": True}

    return TestClient(app)


def test_missing_token_is_401():
    response = make_client().get("/clinical")
    assert response.status_code == 401
    assert "missing bearer token" in response.json()["detail"]


def test_unknown_token_is_401():
    response = make_client().get("/clinical", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401


def test_wrong_role_is_403_naming_the_role():
    response = make_client().get("/clinical", headers={"Authorization": "Bearer int-token"})
    assert response.status_code == 403
    assert "integration" in response.json()["detail"]


def test_right_role_passes():
    response = make_client().get("/clinical", headers={"Authorization": "Bearer clin-token"})
    assert response.status_code == 200


def test_only_digests_are_kept():
    tokens = TokenRoles(hashes={}, plain={"integration": SecretStr("int-token")})
    assert "int-token" not in repr(vars(tokens))
