"""The emails the stack sent through SES, read back from moto (SES sends nothing here)."""

from __future__ import annotations

import email
import os
import re
from email import policy
from email.message import Message
from pathlib import Path

from carepay_local.cloud import REGION

AS_SENT = policy.SMTP.clone(max_line_length=998)  # as carepay.adapters.ses writes it


def sent_mail(account: str) -> list[Message]:
    """Every email sent, oldest first: from moto's SES in this process, or from the moto
    server at AWS_ENDPOINT_URL (its /moto-api/data.json)."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint:
        import requests

        state = requests.get(f"{endpoint}/moto-api/data.json", timeout=10).json()
        raw = [m["raw_data"] for m in state.get("ses", {}).get("RawMessage", [])]
    else:
        from moto.ses.models import ses_backends

        sent = ses_backends[account][REGION].sent_messages
        raw = [m.raw_data for m in sent if hasattr(m, "raw_data")]
    return [email.message_from_string(text, policy=policy.default) for text in raw]


def write_eml(messages: list[Message], folder: Path) -> list[Path]:
    """Each email as a .eml file a mail program opens, named by its order and subject."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number, message in enumerate(messages, start=1):
        subject = re.sub(r"[^A-Za-z0-9]+", "-", str(message["Subject"] or "email")).strip("-")
        path = folder / f"{number:02d}-{subject[:70]}.eml"
        path.write_bytes(message.as_bytes(policy=AS_SENT))
        written.append(path)
    return written
