"""A person at a provider using the portal as its page does: a token from the pool, the API as
API Gateway answers it, files straight to and from S3 with the links the API gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from carepay.adapters.aws import client
from carepay_local.cloud import LocalCloud
from carepay_local.presigned import fetch_download, post_upload

PASSWORD = "Correct-Horse-42-Battery"  # noqa: S105 - the local pool's, never a real one


class PortalRefused(Exception):
    """The API answered 4xx: `status` and the message the page would show."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class PortalVisit:
    def __init__(self, cloud: LocalCloud, email: str, *, pool: str = "", app: str = "") -> None:
        """Signed in as `email` (their password set first, as they would on first sign-in)."""
        self.cloud = cloud
        self.email = email
        self.api = cloud.http_api("PortalApi")
        idp = client("cognito-idp")
        pool = pool or cloud.outputs["PortalUserPoolId"]
        idp.admin_set_user_password(
            UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True
        )
        signed_in = idp.initiate_auth(
            ClientId=app or cloud.outputs["PortalClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD},
        )
        self.token = signed_in["AuthenticationResult"]["AccessToken"]

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Requests meanwhile happen at `moment` (a trial stack's simulated time)."""
        saved = self.cloud.extra_function_env.get("CAREPAY_TRIAL_NOW")
        self.cloud.extra_function_env["CAREPAY_TRIAL_NOW"] = moment.isoformat()
        try:
            yield
        finally:
            if saved is None:
                del self.cloud.extra_function_env["CAREPAY_TRIAL_NOW"]
            else:
                self.cloud.extra_function_env["CAREPAY_TRIAL_NOW"] = saved

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        content = json.dumps(body).encode() if body is not None else b""
        answer = self.api.request(method, path, headers, content)
        return answer.status, json.loads(answer.body) if answer.body else None

    def get(self, path: str) -> Any:
        return self._ok(*self.call("GET", path))

    def post(self, path: str, body: Any) -> Any:
        return self._ok(*self.call("POST", path, body))

    def download(self, path: str) -> tuple[str, bytes]:
        """A file through the link the API gives (its name, its bytes)."""
        link = self.get(path)
        return link["file_name"], fetch_download(link["url"], self.cloud.signer("PortalFunction"))

    def upload(self, provider_ref: str, name: str, content: bytes) -> dict[str, Any]:
        """Choose a file: a presigned form, the file straight to S3, then the result."""
        form = self.post(f"/api/providers/{provider_ref}/uploads", {"file_name": name})
        signer = self.cloud.signer("PortalFunction")
        post_upload(form["url"], form["fields"], content, name, signer)
        return self.result(form["result"])

    def confirm(self, provider_ref: str, monday: str) -> dict[str, Any]:
        """Tick the declaration and press Save, confirm and lock: the result."""
        path = f"/api/providers/{provider_ref}/weeks/{monday}/confirmation"
        return self.result(self.post(path, {"declaration": True})["result"])

    def result(self, path: str) -> dict[str, Any]:
        """What the page polls for: the file's feedback, once the pipeline has written it."""
        for _ in range(20):
            self.cloud.pump()
            answered: dict[str, Any] = self.get(path)
            if answered["ready"]:
                return answered
        raise TimeoutError(f"no result at {path}")

    @staticmethod
    def _ok(status: int, answer: Any) -> Any:
        if status >= 400:
            raise PortalRefused(status, (answer or {}).get("message", ""))
        return answer
