"""Amazon Cognito as the portal's user directory: email addresses as usernames, invitations with
a temporary password sent by Cognito, and accounts disabled or enabled by the council."""

from __future__ import annotations

from carepay.adapters.aws import client


class CognitoDirectory:
    """Implements UserDirectory (carepay.ports.portal)."""

    def __init__(self, user_pool_id: str) -> None:
        self.user_pool_id = user_pool_id

    def invite(self, email: str) -> tuple[str, bool]:
        cognito = client("cognito-idp")
        try:
            created = cognito.admin_create_user(
                UserPoolId=self.user_pool_id,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    # The council vouches for the address; the invitation proves it works.
                    {"Name": "email_verified", "Value": "true"},
                ],
                DesiredDeliveryMediums=["EMAIL"],
            )
            attributes = created["User"]["Attributes"]
            invited = True
        except cognito.exceptions.UsernameExistsException:
            existing = cognito.admin_get_user(UserPoolId=self.user_pool_id, Username=email)
            attributes = existing["UserAttributes"]
            invited = False
        return next(a["Value"] for a in attributes if a["Name"] == "sub"), invited

    def disable(self, email: str) -> None:
        client("cognito-idp").admin_disable_user(UserPoolId=self.user_pool_id, Username=email)

    def enable(self, email: str) -> None:
        client("cognito-idp").admin_enable_user(UserPoolId=self.user_pool_id, Username=email)
