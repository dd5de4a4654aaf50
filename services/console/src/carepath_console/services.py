"""Calls to the services' HTTP APIs, always with the signed-in person's own token."""

from typing import Any

import httpx

from carepath_runtime.errors import CarepathError


class ServiceUnavailableError(CarepathError):
    """A service did not answer (or answered 5xx): the page says which."""


class ServiceRefusedError(CarepathError):
    """A service said no (4xx): the page shows its reason."""

    def __init__(self, service: str, status: int, detail: str) -> None:
        super().__init__(f"{service} answered {status}: {detail}")
        self.status = status
        self.detail = detail


class Services:
    def __init__(self, urls: dict[str, str], timeout_s: float) -> None:
        self._urls = urls
        self._client = httpx.AsyncClient(timeout=timeout_s)

    async def close(self) -> None:
        await self._client.aclose()

    async def get(self, service: str, path: str, token: str | None = None) -> Any:
        """The JSON body, None for a 404, or a named error."""
        response = await self._call("GET", service, path, token)
        if response.status_code == 404:
            return None
        return self._json(service, response)

    async def post(self, service: str, path: str, token: str, body: dict[str, Any]) -> Any:
        response = await self._call("POST", service, path, token, body)
        return self._json(service, response)

    async def text(self, service: str, path: str, token: str | None = None) -> str:
        response = await self._call("GET", service, path, token)
        self._check(service, response)
        return response.text

    async def status(self, service: str, path: str) -> tuple[int | None, Any]:
        """Status and JSON body of an open route (readiness); None when unreachable."""
        try:
            response = await self._client.get(self._urls[service] + path)
        except httpx.HTTPError:
            return None, None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    async def _call(self, method, service, path, token, body=None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return await self._client.request(
                method, self._urls[service] + path, headers=headers, json=body
            )
        except httpx.HTTPError as error:
            raise ServiceUnavailableError(
                f"{service} did not answer ({type(error).__name__})"
            ) from error

    def _json(self, service: str, response: httpx.Response) -> Any:
        self._check(service, response)
        return response.json()

    def _check(self, service: str, response: httpx.Response) -> None:
        if response.status_code >= 500:
            raise ServiceUnavailableError(f"{service} answered {response.status_code}")
        if response.status_code >= 400:
            try:
                detail = str(response.json().get("detail", ""))
            except (ValueError, AttributeError):
                detail = ""
            raise ServiceRefusedError(service, response.status_code, detail[:300])
