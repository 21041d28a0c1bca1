"""Powertools' idempotency record store, for the functions that answer a request once."""

from __future__ import annotations

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from carepay.adapters.aws import client
from carepay.runtime import per_container
from carepay.settings import Settings


@per_container
def idempotency_store(settings: Settings) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table_name, boto3_client=client("dynamodb")
    )
