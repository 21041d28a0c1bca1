"""Messages to SQS: how a payment run hands each provider to its own invocation."""

from __future__ import annotations

from collections.abc import Sequence

from carepay.adapters.aws import client

SQS_BATCH = 10


class SqsMessages:
    def __init__(self) -> None:
        self.requests = 0

    def send_all(self, queue_url: str, bodies: Sequence[str]) -> None:
        """Send every body, ten to a request, retrying entries SQS could not take."""
        sqs = client("sqs")
        for start in range(0, len(bodies), SQS_BATCH):
            pending = {
                str(index): body
                for index, body in enumerate(bodies[start : start + SQS_BATCH], start=start)
            }
            for _attempt in range(5):
                self.requests += 1
                response = sqs.send_message_batch(
                    QueueUrl=queue_url,
                    Entries=[{"Id": key, "MessageBody": body} for key, body in pending.items()],
                )
                pending = {f["Id"]: pending[f["Id"]] for f in response.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise RuntimeError(f"SQS refused {len(pending)} messages after retries")
