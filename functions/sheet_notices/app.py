"""Signed notices from the council's Apps Script (a Lambda function URL) → the sheet sync queue.

The notice is verified (HMAC-SHA256, under five minutes old, nonce never seen) and nothing else
is done here: the sheet is read by the sync, from the sheet.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver, Response, content_types
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from carepay.runtime import now
from carepay.runtime.sheet_notices import notice_receiver
from carepay.services.sheet_notices import SIGNATURE_HEADER, NoticeRefused

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = LambdaFunctionUrlResolver()


@app.post("/notices")
def receive_notice() -> Response[dict[str, Any]]:
    event = app.current_event
    body = event.decoded_body or ""
    signature = event.headers.get(SIGNATURE_HEADER, "")
    try:
        notice = notice_receiver().receive(body.encode(), signature, now())
    except NoticeRefused as refused:
        # The body is not logged: it says nothing the queue needs, and a log is not a store.
        logger.warning("sheet notice refused", reason=refused.reason, status=refused.status)
        metrics.add_metric("SheetNoticesRefused", MetricUnit.Count, 1)
        return Response(
            refused.status,
            content_types.APPLICATION_JSON,
            {"accepted": False, "reason": refused.reason},
        )
    logger.info("sheet notice accepted", spreadsheet_id=notice.spreadsheet_id)
    metrics.add_metric("SheetNoticesAccepted", MetricUnit.Count, 1)
    return Response(202, content_types.APPLICATION_JSON, {"accepted": True})


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
