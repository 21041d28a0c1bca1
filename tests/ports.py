"""Ports a test owns: asked of the system, never fixed (two workers, or a stale server, would clash)."""

from __future__ import annotations

from carepay_local.browser import free_port

__all__ = ["free_port"]
