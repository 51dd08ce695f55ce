"""The shipped default limitation rules (limitation_rules.json): the migration seeds the table from them."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def default_rules() -> list[dict[str, Any]]:
    text = resources.files("litigation").joinpath("limitation_rules.json").read_text(encoding="utf-8")
    rules: list[dict[str, Any]] = json.loads(text)["rules"]
    return rules
