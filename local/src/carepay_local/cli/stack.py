"""Commands that run carepay here: `serve` (a local stack for other commands) and `demo`."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from http.server import HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carepay_local.cli.common import console, local_credentials

if TYPE_CHECKING:
    from carepay_local.cloud import LocalCloud


PortalPortOption = Annotated[
    int, typer.Option(help="Port for the provider portal (0: a free one, printed when ready).")
]
NowOption = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="A simulated time for the functions (ISO, e.g. 2026-11-16T09:30+00:00).",
        show_default=False,
    ),
]


def serve(
    port: Annotated[int, typer.Option(help="Port for the local AWS endpoint on 127.0.0.1.")] = 4566,
    notices_port: Annotated[
        int, typer.Option(help="Port for sheet notices (0: a free one, printed when ready).")
    ] = 0,
    portal_port: PortalPortOption = 0,
    now: NowOption = None,
    verbose: Annotated[bool, typer.Option(help="Print every HTTP request it serves.")] = False,
) -> None:
    """Run the local stack: template.yaml in a moto server, events routed to the handlers.

    The stack lives in this process: stop it and everything stored is gone. Quiet while it
    works; a function that fails is printed with why.
    """
    import logging

    from moto.server import ThreadedMotoServer

    from carepay_local.cloud import LocalCloud, quiet_local_cloud
    from carepay_local.iam import save_records

    endpoint = f"http://127.0.0.1:{port}"
    if not verbose:  # the queues are polled several times a second: one log line each
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    local_credentials()
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Authenticator codes are checked locally too (moto's Cognito skips them unless told).
    os.environ.setdefault("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
    with quiet_local_cloud():
        cloud = LocalCloud(extra_function_env={"CAREPAY_TRIAL_NOW": now} if now else None)
        cloud.deploy()
    doors = _open_doors(cloud, notices_port, portal_port)
    print(f"carepay local stack ready: export AWS_ENDPOINT_URL={endpoint}", flush=True)
    print("It lives in this process: Ctrl-C stops it, and what it stored is gone.", flush=True)
    try:
        _run_until_stopped(cloud, lambda: stopping)
    finally:
        for door in doors:
            door.shutdown()
        cloud.close()
        server.stop()
        save_records(f"serve-{os.getpid()}")


def _open_doors(cloud: LocalCloud, notices_port: int, portal_port: int) -> list[HTTPServer]:
    """What AWS serves over HTTPS, on 127.0.0.1: the provider portal (with a person invited to
    try it) and the sheet notices' function URL; each address printed."""
    from carepay_local.cloud import quiet_local_cloud, serve_function_url
    from carepay_local.http_api import serve_http_api
    from carepay_local.portal_trial import invite_trial_user

    with quiet_local_cloud():
        trial = invite_trial_user(cloud)
    portal = serve_http_api(cloud.http_api("PortalApi"), portal_port)
    notices = serve_function_url(cloud, "SheetNoticesFunction", notices_port)
    print(
        f"Provider portal: http://127.0.0.1:{portal.server_address[1]}/ (try it as "
        f"{trial.email}, temporary password {trial.temporary_password}, for {trial.provider_ref}; "
        "import the care packages first)",
        flush=True,
    )
    google_host, google_port = (
        cloud.google_server.server_address[:2] if cloud.google_server else ("", 0)
    )
    print(
        f"Google Sheets: notices at http://127.0.0.1:{notices.server_address[1]}/notices, "
        f"the fake Google API at http://{google_host!s}:{google_port}",
        flush=True,
    )
    return [portal, notices]


def _run_until_stopped(cloud: LocalCloud, stopped: Callable[[], bool]) -> None:
    """Lambda's part: fire schedules by the clock, deliver queued messages, say what failed."""
    last_minute = None
    while not stopped():
        minute = datetime.now().astimezone().replace(second=0, microsecond=0)
        if minute != last_minute:  # schedules fire by the clock, once in their minute
            last_minute = minute
            cloud.fire_due_schedules(minute)
        reported = len(cloud.failures)
        if not cloud.pump():
            time.sleep(0.2)
        for failure in cloud.failures[reported:]:
            print(failure, file=sys.stderr, flush=True)


def demo(
    out: Annotated[Path, typer.Option("--out", help="Where the workbooks are written.")] = Path(
        "out"
    ),
) -> None:
    """The whole flow on an embedded local stack, leaving feedback workbooks in OUT."""
    from carepay_local.demo import run_demo

    run_demo(out, console)
