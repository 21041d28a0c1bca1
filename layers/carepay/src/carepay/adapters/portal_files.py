"""The portal's reach into the buckets: presigned links, so files go between the browser and
S3 directly and never through the function (API Gateway's payload limit is 10 MB; claims may be
20 MB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from carepay.adapters.aws import client
from carepay.adapters.documents import S3Documents
from carepay.ports.portal import SignedUpload, StoredFile


class S3PortalFiles:
    """Implements PortalFiles (carepay.ports.portal)."""

    def __init__(self, inbound_bucket: str, outbound_bucket: str) -> None:
        self.inbound_bucket = inbound_bucket
        self.outbound_bucket = outbound_bucket
        self.documents = S3Documents(inbound_bucket, outbound_bucket)

    def download_link(self, key: str, file_name: str, seconds: int) -> str:
        url: str = client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.outbound_bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{file_name}"',
            },
            ExpiresIn=seconds,
        )
        return url

    def upload_form(
        self, key: str, content_type: str, most_bytes: int, metadata: dict[str, str], seconds: int
    ) -> SignedUpload:
        fields = {"Content-Type": content_type} | {
            f"x-amz-meta-{name}": value for name, value in metadata.items()
        }
        # Every field is pinned by the signed policy: S3 refuses the POST if the browser changes
        # the key, the type or the metadata, or sends an empty file or one over the limit.
        conditions: list[object] = [{name: value} for name, value in fields.items()]
        conditions.append(["content-length-range", 1, most_bytes])
        form = client("s3").generate_presigned_post(
            Bucket=self.inbound_bucket,
            Key=key,
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=seconds,
        )
        return SignedUpload(
            url=form["url"],
            fields=form["fields"],
            key=key,
            expires_at=datetime.now(UTC) + timedelta(seconds=seconds),
        )

    def upload_origin(self) -> str:
        url = client("s3").generate_presigned_post(Bucket=self.inbound_bucket, Key="origin")["url"]
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    def outbound_files(self, prefix: str) -> list[StoredFile]:
        pages = (
            client("s3")
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.outbound_bucket, Prefix=prefix)
        )
        return [
            StoredFile(key=o["Key"], size=o["Size"], last_modified=o["LastModified"])
            for page in pages
            for o in page.get("Contents", [])
        ]

    def read_outbound(self, key: str) -> bytes | None:
        return self.documents.read_outbound(key)

    def put_inbound(self, key: str, body: bytes, metadata: dict[str, str]) -> None:
        client("s3").put_object(
            Bucket=self.inbound_bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            Metadata=metadata,
        )
