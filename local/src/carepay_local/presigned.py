"""Presigned POST uploads as S3 judges them: moto stores whatever is posted, so the policy's
conditions are checked here before the form goes to S3 (through moto), and the upload is made
under the role that signed it, as S3 authorises a presigned request with the signer's rights."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from carepay_local.iam import RECORDER, Permission, access_denied


def policy_of(fields: dict[str, str]) -> dict[str, Any]:
    """The signed policy a presigned POST's fields carry (base64 JSON)."""
    decoded: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return decoded


def policy_violations(
    fields: dict[str, str], bucket: str, size: int, now: datetime | None = None
) -> list[str]:
    """Why S3 would refuse this form and file (an empty list: it would accept it)."""
    policy = policy_of(fields)
    moment = now or datetime.now(UTC)
    found = []
    if datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00")) < moment:
        found.append("the policy has expired")
    values = {name.lower(): value for name, value in fields.items()} | {"bucket": bucket}
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            ((name, expected),) = condition.items()
            if values.get(name.lower().lstrip("$")) != expected:
                found.append(f"{name} must be {expected!r}")
        elif condition[0] == "content-length-range":
            low, high = int(condition[1]), int(condition[2])
            if not low <= size <= high:
                found.append(f"the file must be {low} to {high} bytes, not {size}")
        elif condition[0] == "eq" and values.get(condition[1].lower().lstrip("$")) != condition[2]:
            found.append(f"{condition[1]} must be {condition[2]!r}")
        elif condition[0] == "starts-with" and not str(
            values.get(condition[1].lower().lstrip("$"), "")
        ).startswith(condition[2]):
            found.append(f"{condition[1]} must start with {condition[2]!r}")
    signed = {
        str(next(iter(c))).lower() if isinstance(c, dict) else str(c[1]).lower().lstrip("$")
        for c in policy["conditions"]
        if isinstance(c, dict) or c[0] != "content-length-range"
    }
    unsigned = set(values) - signed - {"policy", "x-amz-signature", "file", "bucket"}
    found += [f"the field {name} is not in the policy" for name in sorted(unsigned)]
    return found


class UploadRefused(Exception):
    """S3 answered 403: the form was not one the policy allows."""


def post_upload(
    url: str,
    fields: dict[str, str],
    content: bytes,
    file_name: str,
    signer: tuple[str, list[Any], str],
) -> None:
    """Send a file with a presigned form: refused (UploadRefused) as S3 would, else stored.

    `signer` is the signing function's (name, grants, account), from LocalCloud.signer.
    """
    import requests

    bucket, _ = _bucket_and_key(url)
    violations = policy_violations(fields, bucket, len(content))
    if violations:
        raise UploadRefused("; ".join(violations))
    function, grants, _ = signer
    permission = Permission("s3:PutObject", f"arn:aws:s3:::{bucket}/{fields['key']}")
    if not RECORDER.check(grants, permission):
        RECORDER.refuse(function, "PostObject", permission)
        raise access_denied("PostObject", function, permission)
    response = requests.post(url, data=fields, files={"file": (file_name, content)}, timeout=30)
    if response.status_code >= 300:
        raise UploadRefused(f"S3 answered {response.status_code}: {response.text[:200]}")


def fetch_download(url: str, signer: tuple[str, list[Any], str]) -> bytes:
    """Follow a presigned GET as a browser does: S3 allows it if the signer's role may read the
    object (checked and recorded here; moto checks no role)."""
    import requests

    bucket, key = _bucket_and_key(url)
    function, grants, _ = signer
    permission = Permission("s3:GetObject", f"arn:aws:s3:::{bucket}/{unquote(key)}")
    if not RECORDER.check(grants, permission):
        RECORDER.refuse(function, "GetObject", permission)
        raise access_denied("GetObject", function, permission)
    response = requests.get(url, timeout=30)
    response.raise_for_status()
    return response.content


def _bucket_and_key(url: str) -> tuple[str, str]:
    """The bucket (and key, if the URL has one) a presigned URL is for."""
    parts = urlsplit(url)
    if ".s3" in parts.netloc:  # virtual-hosted: https://{bucket}.s3….amazonaws.com/{key}
        return parts.netloc.split(".s3", 1)[0], parts.path.lstrip("/")
    bucket, _, key = parts.path.lstrip("/").partition("/")  # path-style: a local endpoint
    return bucket, key
