"""A warm Lambda container for one function, run by the layer-only virtual environment's Python.

It imports nothing of carepay's tooling: sys.path is the function's code, then the layer (as
/var/task and /opt/python come first in Lambda), then the venv with only the runtime's boto3.
Each line on stdin is an invocation (event and context); each answer is one line on the
original stdout. What the handler prints (its logs) goes to stderr.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback
from typing import Any


class Context:
    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)
        self._deadline = time.monotonic() + float(fields["timeout_seconds"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    code_dir, layer_dir, handler_name = sys.argv[1:4]
    answers = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # the handler's prints (Powertools' logs and metrics) go to stderr
    sys.path[:0] = [code_dir, layer_dir]
    module_file, _, attribute = handler_name.rpartition(".")
    spec = importlib.util.spec_from_file_location(module_file, f"{code_dir}/{module_file}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_file] = module
    try:
        spec.loader.exec_module(module)  # the cold start
        handler = getattr(module, attribute)
    except BaseException:
        answers.write(json.dumps({"init_error": traceback.format_exc()}) + "\n")
        return
    answers.write(json.dumps({"ready": True, "modules": sorted(sys.modules)}) + "\n")
    for line in sys.stdin:
        invocation = json.loads(line)
        try:
            response = handler(invocation["event"], Context(invocation["context"]))
            answers.write(json.dumps({"response": response}, default=str) + "\n")
        except Exception:
            answers.write(json.dumps({"error": traceback.format_exc()}) + "\n")


if __name__ == "__main__":
    main()
