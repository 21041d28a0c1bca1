"""What a function is told by its environment (template.yaml), read at call time, never at import."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    table_name: str
    idempotency_table_name: str
    inbound_bucket: str
    outbound_bucket: str
    trial_mode: bool = False
    council_name: str = "Example Council"
    council_contact: str = "your council's provider payments team"
    council_message: str = ""
    council_message_level: str = "welcome"
    provider_payments_queue_url: str = ""
    council_sort_code: str = ""
    council_account_number: str = ""
    council_account_name: str = ""
    bacs_service_user_number: str = ""  # set: the payment file carries Bacs's labels
    council_closure_days: str = ""  # ISO dates besides weekends and bank holidays
    finance_coding: str = ""  # Service Type[/Level]=Cost Centre:Expense Code; …
    sheets_service_account_secret: str = ""
    sheets_notice_secret: str = ""
    sheet_sync_queue_url: str = ""
    sheets_requests_queue_url: str = ""
    google_api_endpoint: str = ""
    portal_user_pool_id: str = ""
    portal_tasks_queue_url: str = ""
    portal_url: str = ""
    mail_from: str = ""
    finance_email: str = ""
    first_carepay_week: str = ""  # ISO Monday; weeks before it were claimed the old way


def current_settings() -> Settings:
    env = os.environ
    return Settings(
        table_name=env["TABLE_NAME"],
        idempotency_table_name=env.get("IDEMPOTENCY_TABLE_NAME", ""),
        inbound_bucket=env["INBOUND_BUCKET"],
        outbound_bucket=env["OUTBOUND_BUCKET"],
        trial_mode=env.get("TRIAL_MODE", "false").lower() == "true",
        council_name=env.get("COUNCIL_NAME", "Example Council"),
        council_contact=env.get("COUNCIL_CONTACT") or "your council's provider payments team",
        council_message=env.get("COUNCIL_MESSAGE", ""),
        council_message_level=env.get("COUNCIL_MESSAGE_LEVEL", "welcome"),
        provider_payments_queue_url=env.get("PROVIDER_PAYMENTS_QUEUE_URL", ""),
        council_sort_code=env.get("COUNCIL_SORT_CODE", ""),
        council_account_number=env.get("COUNCIL_ACCOUNT_NUMBER", ""),
        council_account_name=env.get("COUNCIL_ACCOUNT_NAME", ""),
        bacs_service_user_number=env.get("BACS_SERVICE_USER_NUMBER", ""),
        council_closure_days=env.get("COUNCIL_CLOSURE_DAYS", ""),
        finance_coding=env.get("FINANCE_CODING", ""),
        sheets_service_account_secret=env.get("SHEETS_SERVICE_ACCOUNT_SECRET", ""),
        sheets_notice_secret=env.get("SHEETS_NOTICE_SECRET", ""),
        sheet_sync_queue_url=env.get("SHEET_SYNC_QUEUE_URL", ""),
        sheets_requests_queue_url=env.get("SHEETS_REQUESTS_QUEUE_URL", ""),
        # Like AWS_ENDPOINT_URL: Google's APIs at another address (the local fake).
        google_api_endpoint=env.get("GOOGLE_API_ENDPOINT", ""),
        portal_user_pool_id=env.get("PORTAL_USER_POOL_ID", ""),
        portal_tasks_queue_url=env.get("PORTAL_TASKS_QUEUE_URL", ""),
        portal_url=env.get("PORTAL_URL", ""),
        mail_from=env.get("MAIL_FROM", ""),
        finance_email=env.get("FINANCE_EMAIL", ""),
        first_carepay_week=env.get("FIRST_CAREPAY_WEEK", ""),
    )
