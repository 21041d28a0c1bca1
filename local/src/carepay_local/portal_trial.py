"""A person to try the local portal as: invited by the council's own portal-users file, with a
temporary password to change at first sign-in (then an authenticator code, as on AWS)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from carepay.adapters.aws import client
from carepay_local.cloud import LocalCloud

TRIAL_EMAIL = "trial@provider.example"
TRIAL_PROVIDER = "P001"


@dataclass(frozen=True)
class TrialUser:
    email: str
    temporary_password: str
    provider_ref: str


def invite_trial_user(cloud: LocalCloud) -> TrialUser:
    users = f"Email,Provider Ref\n{TRIAL_EMAIL},{TRIAL_PROVIDER}\n"
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/trial-user.csv", Body=users
    )
    cloud.pump()
    # Cognito emails the temporary password; the local cloud sends no mail, so it is set here.
    password = f"Trial-{secrets.token_hex(4)}-{secrets.randbelow(90) + 10}"
    client("cognito-idp").admin_set_user_password(
        UserPoolId=cloud.outputs["PortalUserPoolId"],
        Username=TRIAL_EMAIL,
        Password=password,
        Permanent=False,
    )
    return TrialUser(TRIAL_EMAIL, password, TRIAL_PROVIDER)
