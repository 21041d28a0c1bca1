"""Email through Amazon SES, from an address on the council's verified identity."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

from carepay.adapters.aws import client
from carepay.ports.portal import Email

# CRLF line ends, as SMTP wants; headers unfolded up to the 998 characters a line may have
# (Python folds a long subject onto its own line, which some mail programs show with a space).
MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


class SesMailer:
    """Implements Mailer (carepay.ports.portal): raw MIME (SendRawEmail), so attachments go."""

    def __init__(self, sender: str, council_name: str) -> None:
        self.sender = sender
        self.council_name = council_name

    def send(self, email: Email) -> None:
        message = EmailMessage(policy=MAIL_POLICY)
        message["From"] = f"{self.council_name} <{self.sender}>"
        message["To"] = ", ".join(email.to)
        message["Subject"] = email.subject
        message.set_content(email.text)
        for attached in email.attachments:
            kind, _, subtype = attached.content_type.partition("/")
            message.add_attachment(
                attached.content, maintype=kind, subtype=subtype, filename=attached.file_name
            )
        client("ses").send_raw_email(
            Source=self.sender,
            Destinations=list(email.to),
            RawMessage={"Data": message.as_bytes()},
        )
