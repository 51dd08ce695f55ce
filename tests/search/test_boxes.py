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
    stem,
    turn_box,
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
