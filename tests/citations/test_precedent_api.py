"""The precedent graph on every stack (issue 11, decision 0019): page citations stored and in hits, a citation typed
in another spelling finds the page, cited-by with counts per court and year, cites resolved to a reported judgment
in Casefile, the extraction endpoint's exact shape, and the walls around all of it."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest

from core.models import Role
from tests.conftest import Api


def _word() -> str:
    rng = random.Random(uuid.uuid4().int)
    return "zq" + "".join(rng.choice("bcdfghjklmnprstvw") for _ in range(10))


def _page() -> int:
    """A reporter page no other test cites, so that counts are this test's own on a shared index."""
    return random.Random(uuid.uuid4().int).randint(1000, 99999)


def _document(api: Api, case_id: str, text: str, **form: str) -> str:
    response = api.upload(case_id, f"{_word()}.txt", text.encode(), **form)
    assert response.status_code == 202, response.text
    document_id = str(response.json()["id"])
    assert api.wait_until_done(document_id)["status"] == "indexed"
    return document_id


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


def _other_unit_clerk(api: Api) -> tuple[str, str]:
    """A unit of its own and a token of its clerk."""
    unit = _ok(api.post("/api/v1/units", json={"name": f"Ministry {_word()}", "kind": "ministry"}), 201)
    user = _ok(api.post("/api/v1/users", json={"username": _word(), "role": "clerk", "unit_id": unit["id"]}), 201)
    token = _ok(api.post("/api/v1/tokens", json={"name": "precedents", "user_id": user["id"]}), 201)
    return unit["id"], token["token"]


def _as(api: Api, token: str, url: str, **params: Any) -> dict[str, Any]:
    return _ok(api.client.get(url, params=params, headers={"Authorization": f"Bearer {token}"}))


def test_page_citations_are_stored_indexed_and_carried_by_hits(stack_api: Api) -> None:
    api, word, page = stack_api, _word(), _page()
    case = api.create_case(number=f"W.P. No. {page} of 2024")
    document_id = _document(
        api, case["id"],
        f"The {word} petition relies on P.L.D. 2019 Supreme Court {page} and on 2021 S C M R 12.\f"
        f"Page two of {word} cites (2015) 11 SCC 493 at page 12, and PLD 2019 SC {page} again.",
    )  # fmt: skip
    result = api.search(word)
    assert {hit["page"]: hit["citations"] for hit in result["hits"]} == {
        1: [f"PLD 2019 SC {page}", "2021 SCMR 12"],
        2: ["(2015) 11 SCC 493", f"PLD 2019 SC {page}"],
    }
    cites = _ok(api.get(f"/api/v1/documents/{document_id}/cites"))
    assert [(item["normalized"], item["pages"]) for item in cites["citations"]] == [
        (f"PLD 2019 SC {page}", [1, 2]), ("2021 SCMR 12", [1]), ("(2015) 11 SCC 493", [2]),
    ]  # fmt: skip
    first = cites["citations"][0]
    assert (first["reporter"], first["year"], first["court"], first["volume"], first["page"]) == (
        "PLD", 2019, "SC", None, page,
    )  # fmt: skip
    assert first["resolved"] == [] and cites["reported_as"] == []


def test_a_citation_typed_in_another_spelling_finds_the_page(stack_api: Api) -> None:
    api, word, other, page = stack_api, _word(), _word(), _page()
    case = api.create_case(number=f"C.P. No. {page} of 2023")
    _document(api, case["id"], f"Reliance on PLD 2019 SC {page} is misplaced, says {word}.")
    _document(api, case["id"], f"{other} mentions the Supreme Court in 2019 but no such report.")

    for typed in (f"P.L.D. 2019 Supreme Court {page}", f"pld 2019 s.c. {page}", f"2019 PLD SC {page}"):
        (hit,) = api.search(typed)["hits"]
        assert hit["citations"] == [f"PLD 2019 SC {page}"], typed
    # The rest of the query still has to match: the citation widens only its own words.
    assert api.search(f"{word} P.L.D. 2019 Supreme Court {page}")["total"] == 1
    assert api.search(f"{other} P.L.D. 2019 Supreme Court {page}")["total"] == 0
    # In quotes, a phrase is a phrase: literal words only.
    assert api.search(f'"P.L.D. 2019 Supreme Court {page}"')["total"] == 0


def test_a_citation_typed_in_another_spelling_finds_the_case_in_the_case_list(stack_api: Api) -> None:
    api, page = stack_api, _page()
    citing = api.create_case(number=f"C.P. No. {page} of 2024")
    bystander = api.create_case(number=f"W.P. No. {page} of 2024")
    _document(api, citing["id"], f"The respondents rely on 2021 S.C.M.R. {page} at p. 9.")
    _document(api, bystander["id"], f"The year 2021 and page {page} appear here, but no report is cited.")

    for typed in (f"2021 SCMR {page}", f"2021 s c m r {page}"):
        listed = _ok(api.get("/api/v1/cases", params={"q": typed}))
        assert [(item["id"], item["matched_documents"]) for item in listed["items"]] == [(citing["id"], 1)], typed
    _, stranger = _other_unit_clerk(api)  # the widened query keeps the walls
    assert _as(api, stranger, "/api/v1/cases", q=f"2021 SCMR {page}")["total"] == 0


def test_cited_by_lists_documents_and_pages_with_counts_per_court_and_year(stack_api: Api) -> None:
    api, page = stack_api, _page()
    lahore = api.create_case(number=f"W.P. No. {page}-L of 2022", court="Lahore High Court", filed_on="2022-03-01")
    supreme = api.create_case(number=f"C.P. No. {page} of 2023", court="Supreme Court of Pakistan")
    _document(api, lahore["id"], f"See 2021 S.C.M.R. {page}.\fAnd 2021 SCMR {page} at p. 7 once more.")
    _document(api, lahore["id"], f"Reply: 2021 SCMR {page} [Supreme Court] does not apply.", filed_on="2023-05-02")
    _document(api, supreme["id"], f"Leave granted; 2021 SCMR {page} followed.", filed_on="2023-01-09")
    _document(api, supreme["id"], "This paper cites nothing at all.", filed_on="2023-01-10")

    result = _ok(api.get(f"/api/v1/citations/2021 S C M R {page}/cited-by"))  # any spelling
    assert result["citation"] == f"2021 SCMR {page}"
    assert (result["total_documents"], result["total_pages"]) == (3, 4)
    assert result["by_court"] == [
        {"value": "Lahore High Court", "documents": 2, "pages": 3},
        {"value": "Supreme Court of Pakistan", "documents": 1, "pages": 1},
    ]
    assert result["by_year"] == [{"value": 2023, "documents": 2, "pages": 2}, {"value": 2022, "documents": 1,
                                                                                "pages": 2}]  # fmt: skip
    assert sorted(item["pages"] for item in result["documents"]) == [[1], [1], [1, 2]]
    assert result["documents"][-1]["year"] == 2022  # newest first
    paged = _ok(api.get(f"/api/v1/citations/2021 SCMR {page}/cited-by", params={"page": 2, "size": 2}))
    assert (len(paged["documents"]), paged["total_documents"]) == (1, 3)
    assert paged["documents"][0]["document_id"] == result["documents"][2]["document_id"]
    assert api.get("/api/v1/citations/no such thing/cited-by").status_code == 422


def test_cites_resolve_to_a_reported_judgment_in_casefile(stack_api: Api) -> None:
    api, page = stack_api, _page()
    case = api.create_case(number=f"C.A. No. {page} of 2019", court="Supreme Court of Pakistan")
    reported = _document(
        api, case["id"],
        f"P L D 2019 Supreme Court {page}\n\n[Supreme Court of Pakistan]\n\nPresent: A and B, JJ.\n\n"
        "ABC LIMITED---Appellant\nversus\nPROVINCE---Respondent\n\n"
        "Contract Act (IX of 1872)---S. 73---Damages---2015 SCMR 40 ref.\n\n"
        "JUDGMENT\n\nA, J.---The appeal follows 2010 CLC 500 [Lahore].",
        doc_type="judgment",
    )  # fmt: skip
    assert _ok(api.get(f"/api/v1/documents/{reported}"))["reported_as"] == [f"PLD 2019 SC {page}"]
    citing_case = api.create_case(number=f"W.P. No. {page} of 2024")
    citing = _document(api, citing_case["id"], f"The petitioner relies on PLD 2019 S.C. {page} and 2010 CLC 500.")

    cites = {item["normalized"]: item for item in _ok(api.get(f"/api/v1/documents/{citing}/cites"))["citations"]}
    (resolved,) = cites[f"PLD 2019 SC {page}"]["resolved"]
    assert (resolved["document_id"], resolved["case_number"]) == (reported, f"C.A. No. {page} of 2019")
    assert cites["2010 CLC 500"]["resolved"] == []
    cited_by = _ok(api.get(f"/api/v1/citations/PLD 2019 SC {page}/cited-by"))
    assert [item["document_id"] for item in cited_by["reported_as"]] == [reported]
    # The judgment's headnote prints its own citation: it is the authority, not a citing document.
    assert [item["document_id"] for item in cited_by["documents"]] == [citing]
    assert f"PLD 2019 SC {page}" not in {
        item["normalized"] for item in _ok(api.get(f"/api/v1/documents/{reported}/cites"))["citations"]
    }

    # Corrected by hand: any spelling in, normalised; a value that is not a citation is refused.
    corrected = _ok(api.patch(f"/api/v1/documents/{reported}", json={"reported_as": ["2019 S.C.M.R. 77"]}))
    assert corrected["reported_as"] == ["2019 SCMR 77"]
    bad = api.patch(f"/api/v1/documents/{reported}", json={"reported_as": ["the Supreme Court's judgment"]})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert _ok(api.get(f"/api/v1/documents/{citing}/cites"))["citations"][0]["resolved"] == []
    api.post(f"/api/v1/documents/{reported}/reprocess")
    assert api.wait_until_done(reported)["reported_as"] == ["2019 SCMR 77"]  # reprocessing keeps a correction


def test_extract_returns_exactly_the_contract(stack_api: Api) -> None:
    text = "Relied: PLD 2019 SC 1, 2010 CLC 500 [Lahore] and [1964] AC 40 in W.P. No. 1234 of 2023."
    body = _ok(stack_api.post("/api/v1/citations/extract", json={"text": text}))
    assert body == {
        "citations": [
            {"raw": "PLD 2019 SC 1", "normalized": "PLD 2019 SC 1", "reporter": "PLD", "year": 2019, "court": "SC",
             "volume": None, "page": 1},
            {"raw": "2010 CLC 500 [Lahore]", "normalized": "2010 CLC 500", "reporter": "CLC", "year": 2010,
             "court": "Lah", "volume": None, "page": 500},
            {"raw": "[1964] AC 40", "normalized": "[1964] AC 40", "reporter": "AC", "year": 1964, "court": None,
             "volume": None, "page": 40},
        ],
        "case_numbers": [{"raw": "W.P. No. 1234 of 2023", "normalized": "W.P. No. 1234 of 2023"}],
    }  # fmt: skip
    assert _ok(stack_api.post("/api/v1/citations/extract", json={"text": ""})) == {"citations": [], "case_numbers": []}
    too_long = stack_api.post("/api/v1/citations/extract", json={"text": "x" * 1_000_001})
    assert too_long.status_code == 422, too_long.text
    far_too_long = stack_api.post("/api/v1/citations/extract", json={"text": "x" * 3_000_000})
    assert far_too_long.status_code == 413 and far_too_long.json()["status"] == 413


def test_sealed_and_foreign_citing_documents_are_absent_from_cited_by_and_cites(stack_api: Api) -> None:
    api, page = stack_api, _page()
    other_unit, other_clerk = _other_unit_clerk(api)
    ours = api.create_case(number=f"W.P. No. {page} of 2025", court="Lahore High Court", filed_on="2025-01-02")
    open_id = _document(api, ours["id"], f"Open paper citing PLD 2020 Lahore {page}.")
    sealed_id = _document(api, ours["id"], f"Sealed paper citing P.L.D. 2020 Lah. {page}.", filed_on="2024-02-02")
    _ok(api.patch(f"/api/v1/documents/{sealed_id}", json={"sealed": True, "seal_reason": "in camera"}))
    theirs = api.create_case(number=f"Crl. A. {page} of 2025", court="Sindh High Court", unit_id=other_unit)
    foreign_id = _document(api, theirs["id"], f"Their paper citing PLD 2020 Lah {page}.")
    reported = _document(api, theirs["id"], f"PLD 2020 Lahore {page}\n[Lahore High Court]\nJUDGMENT\nText.")

    url = f"/api/v1/citations/PLD 2020 Lah {page}/cited-by"
    everything = _ok(api.get(url))  # the admin sees all three citing papers, and the judgment
    assert everything["total_documents"] == 3 and len(everything["reported_as"]) == 1
    clerk = _ok(api.get(url, role=Role.clerk))
    assert [item["document_id"] for item in clerk["documents"]] == [open_id]
    assert (clerk["total_documents"], clerk["total_pages"]) == (1, 1)
    assert clerk["by_court"] == [{"value": "Lahore High Court", "documents": 1, "pages": 1}]
    assert clerk["by_year"] == [{"value": 2025, "documents": 1, "pages": 1}]  # not the sealed paper's 2024
    assert clerk["reported_as"] == []  # the reported judgment is another unit's
    assert sealed_id not in str(clerk) and foreign_id not in str(clerk) and "Sindh" not in str(clerk)
    foreign = _as(api, other_clerk, url)
    assert [item["document_id"] for item in foreign["documents"]] == [foreign_id]
    assert [count["value"] for count in foreign["by_court"]] == ["Sindh High Court"]
    assert [item["document_id"] for item in foreign["reported_as"]] == [reported]

    # What a document cites resolves only to reported judgments the caller may see; a sealed one is a 404.
    cites = _ok(api.get(f"/api/v1/documents/{open_id}/cites", role=Role.clerk))
    assert cites["citations"][0]["resolved"] == []
    assert _ok(api.get(f"/api/v1/documents/{open_id}/cites"))["citations"][0]["resolved"][0]["document_id"] == reported
    assert api.get(f"/api/v1/documents/{sealed_id}/cites", role=Role.clerk).status_code == 404
    assert api.get(url, role=Role.auditor).status_code == 403


@pytest.mark.parametrize("typed", ["PLD 2019 SC 1", "P.L.D. 2019 Supreme Court 1", "2019 PLD S.C. 1"])
def test_cited_by_takes_any_spelling(api: Api, typed: str) -> None:
    assert _ok(api.get(f"/api/v1/citations/{typed}/cited-by"))["citation"] == "PLD 2019 SC 1"
