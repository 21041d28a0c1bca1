"""Test-wide settings: no real AWS is ever reached, and Powertools runs quietly outside Lambda."""

from __future__ import annotations

import os

# Set before any test module imports boto3 or Powertools: clients and X-Ray read these at import.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "carepay",
        "POWERTOOLS_SERVICE_NAME": "carepay",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)
