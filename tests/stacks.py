"""Settings for each stack the contract suite runs on."""

from __future__ import annotations

from pathlib import Path

from core.config import Settings

STACKS = ["embedded"]


def stack_settings(stack: str, tmp_path: Path, bootstrap_token: str) -> Settings:
    common = {
        "environment": "test",
        "data_dir": tmp_path / "data",
        "bootstrap_token": bootstrap_token,
        "task_retry_backoff_seconds": 0.2,
        "ocr_workers": 2,
    }
    if stack == "embedded":
        return Settings(**common)  # type: ignore[arg-type]
    raise ValueError(f"unknown stack {stack}")
