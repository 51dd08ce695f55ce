"""The one Urdu normaliser (decision 0018): applied to a page's text before either engine indexes it
(PageEntry.record) and to every query before it is parsed (search.query.parse_query), so both engines see the
same letters on both sides.

Pure and table-driven. The folds follow Apache Lucene's ArabicNormalizer and PersianNormalizer
(org.apache.lucene.analysis.ar / .fa, Apache License 2.0) but fold towards the letters Urdu writes (Farsi yeh,
keheh, heh goal) rather than towards Arabic ones, keep yeh barree (ے) apart from yeh (Urdu tells them apart:
کی / کے), and keep hamza on waw and yeh (ؤ ئ), as both Lucene normalisers do. Text without an Arabic-script
character, an Arabic-Indic digit or a zero-width character comes back unchanged.
"""

from __future__ import annotations

import re
import unicodedata

ALEF = "\u0627"
FARSI_YEH = "\u06cc"  # ی, Urdu's choti yeh
KEHEH = "\u06a9"  # ک, Urdu's kaf
HEH_GOAL = "\u06c1"  # ہ, Urdu's choti heh
YEH_HAMZA_ABOVE = "\u0626"  # ئ

# One character for another. Each entry: the characters folded, what they become, and where the rule comes from.
FOLDS: dict[str, str] = {
    # Lucene ArabicNormalizer: ALEF_MADDA, ALEF_HAMZA_ABOVE, ALEF_HAMZA_BELOW -> ALEF. Alef wasla is ours: Lucene
    # leaves it, but Urdu never contrasts it with alef (it appears only in Arabic phrases).
    "\u0622": ALEF,  # آ alef madda
    "\u0623": ALEF,  # أ alef hamza above
    "\u0625": ALEF,  # إ alef hamza below
    "\u0671": ALEF,  # ٱ alef wasla
    # Lucene ArabicNormalizer DOTLESS_YEH -> YEH and PersianNormalizer FARSI_YEH -> YEH, turned round: to Farsi yeh.
    "\u064a": FARSI_YEH,  # ي Arabic yeh
    "\u0649": FARSI_YEH,  # ى alef maksura (dotless yeh)
    # PersianNormalizer KEHEH -> KAF, turned round: to keheh.
    "\u0643": KEHEH,  # ك Arabic kaf
    # PersianNormalizer HEH_GOAL, HEH_YEH -> HEH, turned round: to heh goal. Every Arabic heh becomes heh goal (the
    # rule for "where Urdu writes it" is: everywhere; see the decision). Do-chashmi heh (ھ) stays a letter.
    "\u0647": HEH_GOAL,  # ه Arabic heh
    "\u06c0": HEH_GOAL,  # ۀ heh with yeh above (Persian ezafe)
    "\u06c2": HEH_GOAL,  # ۂ heh goal with hamza above (Urdu izafat): Lucene removes the hamza of HEH + HAMZA
    # ArabicNormalizer TEH_MARBUTA -> HEH, to heh goal; Urdu's own teh marbuta goal with it.
    "\u0629": HEH_GOAL,  # ة teh marbuta
    "\u06c3": HEH_GOAL,  # ۃ teh marbuta goal
}
# Digits: Arabic-Indic (U+0660..0669) and Extended Arabic-Indic, Urdu's (U+06F0..06F9), to ASCII.
FOLDS.update({chr(0x0660 + digit): str(digit) for digit in range(10)})
FOLDS.update({chr(0x06F0 + digit): str(digit) for digit in range(10)})

# Removed. Lucene's ArabicNormalizer removes tatweel and eight harakat (U+064B..0652); PersianNormalizer the
# combining hamza above (U+0654). We remove every Arabic combining mark: all of U+064B..065F (harakat, the
# combining hamzas and madda, Urdu's jazm and the other marks), the superscript alef U+0670 (as in زکوٰۃ), the
# honorifics U+0610..061A (ؒ ؓ after a name) and the Quranic annotation marks U+06D6..06ED; and the
# zero-width characters typists and PDFs leave inside words: ZWSP, ZWNJ, ZWJ, the BOM / ZWNBSP, and the
# bidirectional marks (LRM, RLM, ALM).
REMOVED_RANGES = ((0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06DC), (0x06DF, 0x06E4),
                  (0x06E7, 0x06E8), (0x06EA, 0x06ED))  # fmt: skip
REMOVED: frozenset[str] = frozenset(
    {chr(code) for low, high in REMOVED_RANGES for code in range(low, high + 1)}
    | {"\u0640"}  # tatweel (kashida)
    | {"\u200b", "\u200c", "\u200d", "\ufeff", "\u200e", "\u200f", "\u061c"}
)

# Several characters for one, before the table: yeh (either) with a combining hamza above is ئ (Unicode's Urdu
# hamza seat; NFC composes only the Arabic yeh's pair, and the table would otherwise strip the hamza of the other).
SEQUENCES: dict[str, str] = {"\u064a\u0654": YEH_HAMZA_ABOVE, "\u06cc\u0654": YEH_HAMZA_ABOVE}

_TABLE: dict[int, str | None] = {ord(source): target for source, target in FOLDS.items()} | {
    ord(char): None for char in REMOVED
}
_SEQUENCE = re.compile("|".join(map(re.escape, SEQUENCES)))
# Arabic presentation forms (what some PDF text layers hold): their compatibility decomposition is the letter.
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufefc]+")
# What the normaliser can change: a text with none of these is returned as it is, without a copy.
_TOUCHED = re.compile("[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff\u200b-\u200f]")


def _decompose(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group(0))


def normalise_urdu(text: str) -> str:
    """The text as both engines index it: Urdu letter forms folded, Urdu and Arabic-Indic digits in ASCII,
    diacritics, tatweel and zero-width characters removed. Idempotent. Latin text is returned as it is."""
    if text.isascii() or _TOUCHED.search(text) is None:
        return text
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)  # composed ؤ ئ أ, whichever way they were typed
    text = _PRESENTATION.sub(_decompose, text)
    text = _SEQUENCE.sub(lambda match: SEQUENCES[match.group(0)], text)
    return text.translate(_TABLE)
