"""The Urdu normaliser (decision 0018): each fold of its table, each removal, digits, and that it is idempotent and
leaves Latin text alone."""

from __future__ import annotations

import random
import unicodedata

import pytest

from search.urdu import FOLDS, REMOVED, normalise_urdu


@pytest.mark.parametrize(
    ("typed", "indexed"),
    [
        ("\u064a", "\u06cc"),  # Arabic yeh -> Farsi yeh
        ("\u0649", "\u06cc"),  # alef maksura -> Farsi yeh
        ("\u0643", "\u06a9"),  # Arabic kaf -> keheh
        ("\u0647", "\u06c1"),  # Arabic heh -> heh goal
        ("\u06c0", "\u06c1"),  # heh with yeh above -> heh goal
        ("\u06c2", "\u06c1"),  # heh goal with hamza above -> heh goal
        ("\u0629", "\u06c1"),  # teh marbuta -> heh goal
        ("\u06c3", "\u06c1"),  # teh marbuta goal -> heh goal
        ("\u0622", "\u0627"),  # alef madda -> alef
        ("\u0623", "\u0627"),  # alef hamza above -> alef
        ("\u0625", "\u0627"),  # alef hamza below -> alef
        ("\u0671", "\u0627"),  # alef wasla -> alef
    ],
)
def test_each_letter_fold(typed: str, indexed: str) -> None:
    assert FOLDS[typed] == indexed
    assert normalise_urdu(f"ب{typed}ت") == f"ب{indexed}ت"


def test_the_letters_urdu_keeps_apart_are_kept() -> None:
    # Yeh barree, do-chashmi heh, and hamza on waw and yeh (as Lucene keeps them), and Urdu's own letters.
    kept = "ے ھ ؤ ئ ی ک ہ ٹ ڈ ڑ ں گ"
    assert normalise_urdu(kept) == kept


@pytest.mark.parametrize("digit", range(10))
def test_urdu_and_arabic_indic_digits_become_ascii(digit: int) -> None:
    assert normalise_urdu(chr(0x06F0 + digit)) == str(digit)
    assert normalise_urdu(chr(0x0660 + digit)) == str(digit)
    assert normalise_urdu("۲۰۲۴") == normalise_urdu("٢٠٢٤") == "2024"


@pytest.mark.parametrize("mark", sorted(REMOVED))
def test_each_removed_character_is_removed(mark: str) -> None:
    assert normalise_urdu(f"کتا{mark}ب") == "کتاب"


def test_aerab_tatweel_and_joiners_inside_words() -> None:
    assert normalise_urdu("مُقَدَّمَہ") == "مقدمہ"  # zabar, pesh, shadd
    assert normalise_urdu("زکوٰۃ") == "زکوہ"  # superscript alef; teh marbuta goal
    assert normalise_urdu("عدالـــت") == "عدالت"  # tatweel
    assert normalise_urdu("ہم\u200cراہ") == normalise_urdu("ہم\u200dراہ") == "ہمراہ"  # ZWNJ, ZWJ
    assert normalise_urdu("\ufeff\u200bعدالت\u200f") == "عدالت"


def test_hamza_on_yeh_however_it_was_typed() -> None:
    composed = "\u0626"  # ئ
    assert normalise_urdu("گ\u064a\u0654ے") == normalise_urdu("گ\u06cc\u0654ے") == normalise_urdu(f"گ{composed}ے")


def test_presentation_forms_from_pdf_text_layers() -> None:
    assert normalise_urdu("\ufefb") == "لا"  # lam-alef ligature
    assert normalise_urdu("\ufed9\ufe98\ufe8e\ufe8f") == "کتاب"  # kaf, teh, alef, beh as presentation forms


def test_latin_text_is_left_alone() -> None:
    text = "Writ Petition No. 1234 of 2024 — Qāḍī v. State, § 5"
    assert normalise_urdu(text) is text
    ascii_text = "bail granted"
    assert normalise_urdu(ascii_text) is ascii_text


def test_mixed_text_keeps_its_english() -> None:
    assert normalise_urdu("W.P. No. ۱۲۳۴ of 2024 درخواست ضمانت منظور كي") == (
        "W.P. No. 1234 of 2024 درخواست ضمانت منظور کی"
    )


def test_idempotent_on_random_text() -> None:
    rng = random.Random(18)
    alphabet = (
        [chr(code) for code in range(0x0600, 0x0700)]
        + list(REMOVED)
        + [chr(code) for code in range(0xFB50, 0xFB60)]
        + list("abc XYZ 019\n")
        + ["\u0301", "\u00e9"]
    )
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        once = normalise_urdu(text)
        assert normalise_urdu(once) == once, (text, once)
        assert not set(once) & REMOVED
        assert not set(once) & set(FOLDS)
        assert unicodedata.is_normalized("NFC", once)
