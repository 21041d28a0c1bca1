"""Files in S3: what arrived in the inbound bucket and what carepay writes to the outbound one."""

from __future__ import annotations

from carepay.adapters.aws import client
from carepay.ports.files import Document


class S3Documents:
    def __init__(self, inbound_bucket: str, outbound_bucket: str) -> None:
        self.inbound_bucket = inbound_bucket
        self.outbound_bucket = outbound_bucket

    def read_inbound(self, key: str, version_id: str | None = None) -> Document:
        request = {"Bucket": self.inbound_bucket, "Key": key}
        if version_id:
            request["VersionId"] = version_id
        response = client("s3").get_object(**request)  # type: ignore[arg-type]
        return Document(response["Body"].read(), dict(response.get("Metadata", {})))

    def write_outbound(self, key: str, body: bytes, content_type: str) -> None:
        client("s3").put_object(
            Bucket=self.outbound_bucket, Key=key, Body=body, ContentType=content_type
        )

    def read_outbound(self, key: str) -> bytes | None:
        s3 = client("s3")
        try:
            return s3.get_object(Bucket=self.outbound_bucket, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
