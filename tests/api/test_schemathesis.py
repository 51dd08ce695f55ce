"""Schemathesis against the API's own OpenAPI schema, in process, on the embedded stack.

Every operation gets generated requests: valid ones aimed at a seeded case and document (so id paths reach real
objects), valid ones with generated ids, and invalid ones. The API must never answer 5xx, and every answer must
match the schema: a declared status code and a body that conforms to the declared schema for it.

Bounded for CI: a few dozen examples per operation, no deadline, derandomized (same inputs every run), and no
example database, so a run depends on nothing but the code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from api.main import create_app
from api.openapi import install_problem_responses
from core.config import Settings
from tests.conftest import BOOTSTRAP_TOKEN, open_api
from tests.stacks import embedded_settings

ADMIN = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# (mode, aim at the seeded objects, examples): about 1,400 requests in all, under a minute on one core.
RUNS = [
    (GenerationMode.POSITIVE, True, 50),
    (GenerationMode.POSITIVE, False, 20),
    (GenerationMode.NEGATIVE, True, 40),
]
SEED_TEXT = b"IN THE HIGH COURT\nThe petitioner seeks a writ of mandamus.\fSecond page: natural justice.\n"


@dataclass(frozen=True)
class Finding:
    label: str  # the operation, e.g. "GET /api/v1/cases"
    kind: str
    status: int | None
    reproduction: str
    detail: str
    where: str = ""  # for a schema violation, the schema keyword path that failed


@dataclass(frozen=True)
class KnownDefect:
    """A defect in code this test does not own, reported for fixing, and how to recognise its findings."""

    name: str
    matches: Callable[[Finding], bool]


# An operation whose only findings are known defects is marked xfail (not strict), naming them; any other finding
# fails it. Remove an entry once its defect is fixed.
# Defects found and not yet fixed, each matched precisely; empty when there are none.
KNOWN_DEFECTS: list[KnownDefect] = []


def _operation_labels() -> list[str]:
    # The schema depends on the routes only, not on the settings' backends: no lifespan runs here.
    app = create_app(Settings(environment="test", data_dir="/nonexistent-casefile-schemathesis"))
    install_problem_responses(app)
    schema = schemathesis.openapi.from_dict(app.openapi())
    return sorted(result.ok().label for result in schema.get_all_operations())  # type: ignore[union-attr]


OPERATIONS = _operation_labels()


@dataclass
class Seeded:
    app: FastAPI
    schema: Any
    path_ids: dict[str, str]


@dataclass
class Findings:
    items: dict[tuple[str, int | None, str], Finding] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        # One per kind, status and failing keyword, keeping the shortest reproduction: the easiest to read.
        key = (finding.kind, finding.status, finding.where)
        known = self.items.get(key)
        if known is None or len(finding.reproduction) < len(known.reproduction):
            self.items[key] = finding

    @staticmethod
    def report(findings: list[Finding]) -> str:
        return "\n\n".join(
            f"{item.kind} (status {item.status}):\n  {item.reproduction[:1500]}\n  {item.detail[:600]}"
            for item in findings
        )


def _without_lifespan(app: FastAPI) -> Callable[..., Any]:
    """The app for schemathesis's ASGI client: our TestClient already ran (and will end) the lifespan."""

    async def asgi(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return  # returning before reading a message means "no lifespan" to the client
        await app(scope, receive, send)

    return asgi


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    with open_api(embedded_settings(tmp, BOOTSTRAP_TOKEN)) as api:
        app = api.client.app
        assert isinstance(app, FastAPI)
        install_problem_responses(app)  # idempotent: harmless once api/main.py installs it too
        case_id = api.create_case("Seed 1 of 2024", title="Seed v. State", court="Seed Court")["id"]
        upload = api.upload(case_id, "seed.txt", SEED_TEXT)
        assert upload.status_code == 202, upload.text
        document_id = upload.json()["id"]
        assert api.wait_until_done(document_id, timeout=60)["status"] == "indexed"
        schema = schemathesis.openapi.from_dict(app.openapi())
        schema.app = _without_lifespan(app)
        yield Seeded(app, schema, {"case_id": case_id, "document_id": document_id})


def _exercise(seeded: Seeded, label: str, mode: GenerationMode, aimed: bool, examples: int, found: Findings) -> int:
    operation = seeded.schema.find_operation_by_label(label)
    assert operation is not None, label
    path_names = {parameter.name for parameter in operation.path_parameters}
    fixed = {name: value for name, value in seeded.path_ids.items() if name in path_names} if aimed else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)
    sent = 0

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected, not raised
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Case) -> None:
        nonlocal sent
        sent += 1
        reproduction = case.as_curl_command(headers=ADMIN)
        try:
            response = case.call(headers=ADMIN)
        except Exception as error:  # the app raised through the ASGI client: a 500 to a real client
            found.add(Finding(label, f"{type(error).__name__} raised", 500, reproduction, repr(error)))
            return
        try:
            case.validate_response(response, checks=CHECKS, headers=ADMIN)
        except (Exception, BaseExceptionGroup) as error:  # a failed check: one failure, or a group of them
            failures = getattr(error, "exceptions", [error])
            for failure in failures:
                kind = getattr(failure, "title", None) or type(failure).__name__
                body = response.text[:300]
                where = "/".join(str(part) for part in getattr(failure, "schema_path", []))
                detail = f"{failure}\nbody: {body}"
                found.add(Finding(label, str(kind), response.status_code, reproduction, detail, where))

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body): there is no negative case
        assert mode is GenerationMode.NEGATIVE, label
    return sent


@pytest.mark.timeout(300)
@pytest.mark.parametrize("label", OPERATIONS)
def test_operation_conforms_and_never_fails(seeded: Seeded, label: str) -> None:
    found = Findings()
    sent = sum(_exercise(seeded, label, mode, aimed, examples, found) for mode, aimed, examples in RUNS)
    assert sent > 0, f"nothing generated for {label}"
    findings = list(found.items.values())
    unknown = [item for item in findings if not any(defect.matches(item) for defect in KNOWN_DEFECTS)]
    assert not unknown, f"{label}: {len(unknown)} kinds of failure\n\n{Findings.report(unknown)}"
    known = sorted({defect.name for defect in KNOWN_DEFECTS for item in findings if defect.matches(item)})
    if known:
        pytest.xfail("known defects: " + "; ".join(known))


def test_every_api_operation_is_exercised() -> None:
    assert {label for label in OPERATIONS if " /api/v1/" in label} >= {
        "POST /api/v1/cases",
        "GET /api/v1/cases",
        "GET /api/v1/cases/{case_id}",
        "PATCH /api/v1/cases/{case_id}",
        "POST /api/v1/cases/{case_id}/documents",
        "GET /api/v1/cases/{case_id}/documents",
        "GET /api/v1/documents/{document_id}",
        "GET /api/v1/documents/{document_id}/file",
        "GET /api/v1/documents/{document_id}/pages",
        "POST /api/v1/documents/{document_id}/reprocess",
        "GET /api/v1/search",
    }
