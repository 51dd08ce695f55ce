"""Word boxes (decision 0014): the compact encoding, and which boxes a query marks, with the search's analysis."""

from __future__ import annotations

import pytest

from search.boxes import (
    SCALE,
    WordBox,
    decode_boxes,
    encode_boxes,
    fold,
    matching_boxes,
    matching_encoded,
    stem,
    turn_box,
    wanted,
)
from search.query import parse_query


def _line(*words: str, y: float = 0.1) -> list[WordBox]:
    return [WordBox(word, 0.1 + 0.1 * index, y, 0.08, 0.02) for index, word in enumerate(words)]


def _texts(boxes: list[WordBox], q: str) -> list[str]:
    return [box.text for box in matching_boxes(boxes, parse_query(q))]


def test_encoding_round_trips_within_a_quantum_and_is_compact() -> None:
    boxes = [WordBox(f"word{index}", index / 400, 1 - index / 400, 0.05, 0.0123456) for index in range(300)]
    boxes.append(WordBox("عدالت", 0.5, 0.5, 0.1, 0.02))
    data = encode_boxes(boxes)
    decoded = decode_boxes(data)
    assert [box.text for box in decoded] == [box.text for box in boxes]
    for original, back in zip(boxes, decoded, strict=True):
        for field in ("x", "y", "w", "h"):
            assert abs(getattr(original, field) - getattr(back, field)) <= 0.5 / SCALE + 1e-12
    assert len(data) < 301 * 8 + 1200  # 8 bytes of coordinates a word, and the words zlib'd
    assert decode_boxes(encode_boxes([])) == []
    assert decode_boxes(None) == []


def test_out_of_range_coordinates_are_clamped() -> None:
    (box,) = decode_boxes(encode_boxes([WordBox("x", -0.2, 1.5, 0.5, 0.5)]))
    assert (box.x, box.y) == (0.0, 1.0)


def test_terms_fold_case_and_diacritics_and_light_stems() -> None:
    boxes = _line("The", "QĀḌĪ", "granted", "Bail", "bailing", "bails.", "surety")
    assert _texts(boxes, "qadi") == ["QĀḌĪ"]
    assert _texts(boxes, "BAIL") == ["Bail", "bailing", "bails."]
    assert _texts(boxes, "grant") == ["granted"]
    assert fold("Ḍ") == "d"
    assert stem("notices") == "notice" and stem("taxes") == "tax" and stem("class") == "class"


def test_phrases_mark_their_words_only_in_a_row_across_lines() -> None:
    boxes = _line("writ", "of", "mandamus", "is", "a", "writ") + _line("of", "mandamus", y=0.2)
    marked = matching_boxes(boxes, parse_query('"writ of mandamus"'))
    assert [box.text for box in marked] == ["writ", "of", "mandamus", "writ", "of", "mandamus"]
    assert [box.y for box in marked][-2:] == [0.2, 0.2]  # the phrase runs on across the line end
    assert _texts(_line("writ", "the", "mandamus"), '"writ mandamus"') == []


def test_or_marks_both_sides_and_excluded_words_are_never_marked() -> None:
    boxes = _line("bail", "surety", "revision", "land")
    assert _texts(boxes, "bail OR land") == ["bail", "land"]
    assert _texts(boxes, "bail -revision") == ["bail"]
    assert _texts(boxes, "(bail OR land) -(revision OR surety)") == ["bail", "land"]


def test_prefix_and_a_box_of_several_index_words() -> None:
    boxes = _line("W.P.", "No.", "1234/2024", "retirement", "retired")
    assert _texts(boxes, "retire*") == ["retirement", "retired"]
    assert _texts(boxes, "W.P.") == ["W.P."]
    assert _texts(boxes, '"1234 2024"') == ["1234/2024"]


def test_an_urdu_word_and_phrase() -> None:
    boxes = _line("درخواست", "ضمانت", "منظور", "کی", "جاتی", "ہے")
    assert _texts(boxes, "ضمانت") == ["ضمانت"]
    assert _texts(boxes, '"ضمانت منظور"') == ["ضمانت", "منظور"]
    assert _texts(boxes, "ضمانت -منظور") == ["ضمانت"]
    stored = matching_encoded(encode_boxes(boxes), wanted(parse_query('"ضمانت منظور"')))
    assert [box.text for box in stored] == ["ضمانت", "منظور"]


def test_no_query_marks_nothing() -> None:
    assert matching_boxes(_line("bail"), None) == []


@pytest.mark.parametrize("rotation", [0, 90, 180, 270])
def test_turning_a_box_matches_turning_the_image(rotation: int) -> None:
    """A box on a 4x2 grid turned like orientation.turn turns pixels (clockwise)."""
    from PIL import Image

    from ingest.orientation import turn

    image = Image.new("L", (40, 20), 0)
    image.paste(255, (4, 2, 12, 8))  # the box x 0.1..0.3, y 0.1..0.4
    turned = turn(image, rotation)
    box = turn_box(WordBox("w", 0.1, 0.1, 0.2, 0.3), rotation)
    left, top, right, bottom = turned.getbbox() or (0, 0, 0, 0)
    width, height = turned.size
    assert (left / width, top / height, right / width, bottom / height) == pytest.approx(
        (box.x, box.y, box.x + box.w, box.y + box.h)
    )
    assert turn_box(turn_box(box, 360 - rotation), rotation) == box or rotation == 0


def _every_word(boxes: list[WordBox], q: str) -> list[str]:
    """The reference: analyse every word of the page (no substring shortcut), as a non-ASCII page is."""
    from search.boxes import _analysed, wanted

    want = wanted(parse_query(q))
    tokens = [(folded, stemmed, index) for index, box in enumerate(boxes)
              for folded, stemmed in zip(*_analysed(box.text)[:2], strict=True)]  # fmt: skip
    chosen = {index for folded, stemmed, index in tokens
              if stemmed in want.terms or any(folded.startswith(prefix) for prefix in want.prefixes)}  # fmt: skip
    for phrase in want.phrases:
        for start in range(len(tokens) - len(phrase) + 1):
            if tuple(token[1] for token in tokens[start : start + len(phrase)]) == phrase:
                chosen.update(token[2] for token in tokens[start : start + len(phrase)])
    return [boxes[index].text for index in sorted(chosen)]


def test_the_substring_shortcut_on_ascii_pages_marks_exactly_what_full_analysis_does() -> None:
    import random

    rng = random.Random(7)
    vocabulary = [
        "The",
        "parties",
        "party",
        "Party's",
        "court",
        "courts.",
        "W.P.",
        "No.",
        "1234/2024",
        "notice",
        "noticed",
        "taxes",
        "tax",
        "trial",
        "Trial",
    ]
    vocabulary += ["court,", "bail", "bailing", "of", "a", "(trial)"]
    boxes = [WordBox(rng.choice(vocabulary), 0.1, 0.1, 0.1, 0.1) for _ in range(600)]
    queries = ["party", "parties", "courts", '"trial court"', "tax OR notice", "trial* -bail", '"of a"', "W.P.",
               '"1234 2024"', "a", "no", "bail -court"]  # fmt: skip
    stored = encode_boxes(boxes)
    for q in queries:
        assert _texts(boxes, q) == _every_word(boxes, q), q
        # From the stored encoding (words read on demand, coordinates only for the marks): the same boxes.
        assert matching_encoded(stored, wanted(parse_query(q))) == decode_boxes(
            encode_boxes(matching_boxes(boxes, parse_query(q)))
        ), q
    assert _texts(boxes, "parties")  # the shortcut found something to compare
