"""boto3 clients, created once per process and only when first needed.

Creating a client costs ~120 ms and importing boto3 ~200 ms, so neither happens at import time;
clients are keyed by region and endpoint so a local stack (AWS_ENDPOINT_URL) gets its own.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, overload

from carepay.adapters.dynamodb import wire

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient


@overload
def client(service: Literal["dynamodb"]) -> DynamoDBClient: ...
@overload
def client(service: Literal["s3"]) -> S3Client: ...
@overload
def client(service: Literal["sqs"]) -> SQSClient: ...
@overload
def client(service: Literal["cloudformation"]) -> CloudFormationClient: ...
@overload
def client(service: str) -> Any: ...
def client(service: str) -> Any:
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-2"
    return _client(service, region, os.environ.get("AWS_ENDPOINT_URL"))


@cache
def _session() -> Any:
    """One session per process: each new session reloads botocore's endpoint data (~80 ms)."""
    import boto3

    return boto3.session.Session()


@cache
def _client(service: str, region: str, endpoint_url: str | None) -> Any:
    from botocore.config import Config

    config = Config(
        retries={"mode": "adaptive", "max_attempts": 8}, connect_timeout=5, read_timeout=30
    )
    made = _session().client(
        service,
        region_name=region,
        endpoint_url=endpoint_url,
        config=config,
    )
    if service == "dynamodb":
        wire.register(made)
    return made


def forget_clients() -> None:
    """Drop cached clients (a new local cloud, or a test's fresh moto, needs new ones)."""
    _client.cache_clear()
