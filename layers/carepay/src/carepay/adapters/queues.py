"""Messages to SQS: how a payment run hands each provider to its own invocation."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel

from carepay.adapters.aws import client
from carepay.ports.messages import SheetToRead

SQS_BATCH = 10


class SqsMessages:
    def send_all(self, queue_url: str, messages: Sequence[BaseModel]) -> None:
        """Send every message, ten to a request, retrying entries SQS could not take."""
        sqs = client("sqs")
        bodies = [message.model_dump_json() for message in messages]
        for start in range(0, len(bodies), SQS_BATCH):
            pending = {
                str(index): body
                for index, body in enumerate(bodies[start : start + SQS_BATCH], start=start)
            }
            for _attempt in range(5):
                response = sqs.send_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": key, "MessageBody": body} for key, body in pending.items()],
                )
                pending = {f["Id"]: pending[f["Id"]] for f in response.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise RuntimeError(f"SQS refused {len(pending)} messages after retries")


class SqsSyncQueue:
    """The FIFO queue of sheets to read: one message per sheet per minute (deduplication id)."""

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def request_sync(self, spreadsheet_id: str, deduplication_id: str, reason: str) -> None:
        client("sqs").send_message(
            QueueUrl=self.queue_url,
            MessageBody=SheetToRead(spreadsheet_id=spreadsheet_id, reason=reason).model_dump_json(),
            MessageGroupId=spreadsheet_id,  # one sheet's syncs never run at once
            MessageDeduplicationId=deduplication_id,
        )
