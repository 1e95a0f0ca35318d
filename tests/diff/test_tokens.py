"""Words and diff tokens in scripts written without spaces (and right-to-left ones)."""

from __future__ import annotations

import pytest

from tearsheet.diff import diff
from tearsheet.diff.align import Document, align, word_diff
from tearsheet.diff.tokens import inside_word, tokens, words

# (language, old paragraph, new paragraph, the deletions, the insertions): an
# edit of a few characters inside a sentence of several, as newsrooms make them.
EDITS = [
    ("zh",
     "国家统计局周一公布数据显示，一季度国内生产总值同比增长5.3%。分析人士认为，消费回暖是主要原因。"
     "央行表示将继续实施稳健的货币政策。",
     "国家统计局周二公布数据显示，一季度国内生产总值同比增长5.3%。分析人士认为，消费回暖是主要原因。"
     "央行表示将继续实施稳健的货币政策。",
     ["一"], ["二"]),
    ("ja",
     "東京都は十日、新型ウイルスの感染者が新たに三百人確認されたと発表した。"
     "前の週の同じ曜日より五十人少ない。都の担当者は警戒を呼びかけている。",
     "東京都は十日、新型ウイルスの感染者が新たに三百二十人確認されたと発表した。"
     "前の週の同じ曜日より五十人少ない。都の担当者は警戒を呼びかけている。",
     [], ["二十"]),
    ("th",
     "กรมอุตุนิยมวิทยาเตือนว่าจะมีฝนตกหนักในภาคใต้ตั้งแต่วันพรุ่งนี้",
     "กรมอุตุนิยมวิทยาเตือนว่าจะมีฝนตกหนักในภาคเหนือตั้งแต่วันพรุ่งนี้",
     ["ใต้"], ["เหนือ"]),
    ("ar",
     "أعلنت وزارة الصحة اليوم تسجيل 120 إصابة جديدة. وقالت الوزارة إن الوضع مستقر.",
     "أعلنت وزارة الصحة أمس تسجيل 125 إصابة جديدة. وقالت الوزارة إن الوضع مستقر.",
     ["اليوم", "120"], ["أمس", "125"]),
]


@pytest.mark.parametrize(("language", "old", "new", "gone", "came"), EDITS,
                         ids=[e[0] for e in EDITS])
def test_an_edit_in_any_script_is_one_edited_sentence_with_a_small_word_diff(
        language: str, old: str, new: str, gone: list[str], came: list[str]) -> None:
    alignment = align(Document((old,), language=language), Document((new,), language=language))
    [unit] = alignment.changed()
    assert unit.label == "edited"  # not the sentence deleted and another added
    assert [w.text.strip() for w in unit.words if w.op == "delete"] == gone
    assert [w.text.strip() for w in unit.words if w.op == "insert"] == came
    # The text reads back in its own (logical) order on both sides: right-to-left too.
    assert "".join(w.text for w in unit.words if w.op != "insert") == unit.old_text
    assert "".join(w.text for w in unit.words if w.op != "delete") == unit.new_text
    # Only that sentence changed: the others are unchanged, not re-paired.
    assert [u.label for u in alignment.units].count("edited") == 1


def test_a_one_character_chinese_edit_is_a_small_change() -> None:
    language, old, new = EDITS[0][:3]
    change = diff(Document((old,), language=language), Document((new,), language=language))
    assert (change.summary.words_added, change.summary.words_removed) == (1, 1)
    assert change.summary.significance < 0.2
    assert "names_changed" not in change.summary.kinds


def test_tokens_keep_the_text_and_its_marks() -> None:
    thai = "ที่กรุงเทพฯ วันนี้"
    assert "".join(tokens(thai)) == thai
    assert tokens(thai)[0] == "ที่"  # the vowel and tone mark stay with their consonant
    assert words("中国政府") == ["中", "国", "政", "府"]
    assert words("東京タワーは Tokyo Tower") == [*"東京タワーは", "Tokyo", "Tower"]
    assert words("서울 시청") == ["서울", "시청"]  # Korean is written with spaces
    assert words("مرحبا بالعالم") == ["مرحبا", "بالعالم"]


def test_cuts_between_characters_of_unspaced_scripts_split_no_word() -> None:
    assert not inside_word("中国", 1)
    assert inside_word("ที่", 1)  # a consonant from its vowel mark
    assert inside_word("word", 2)
    assert not inside_word("a b", 1)


def test_english_word_diffs_are_unchanged() -> None:
    ops = word_diff("the big red car", "the large blue car")
    assert [(w.op, w.text) for w in ops] == [
        ("equal", "the "), ("delete", "big red"), ("insert", "large blue"), ("equal", " car")]
