"""Diff cards: sizes, fitting, scripts (CJK, right-to-left), alt text."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw

from tearsheet.diff import card, fonts
from tearsheet.diff.align import Document
from tearsheet.diff.changes import Change, diff

INFO = card.CardInfo("The Daily Example", "Plant blast injures 14", "v3 · 4 Dec 2026 14:02 UTC",
                     "v4 · 4 Dec 2026 16:30 UTC", "https://ts.example/articles/7/diff/3/4")


def change(old: str, new: str, old_title: str = "T", new_title: str = "T") -> Change:
    return diff(Document.from_text(old, title=old_title), Document.from_text(new, title=new_title))


EDIT = change("The minister said on Tuesday that 12 people were hurt.\n\nPolice named no suspect.",
              "The minister said on Wednesday that 14 people were hurt.",
              "Blast injures 12", "Blast injures 14")


@pytest.fixture(scope="module")
def files() -> fonts.FontFiles:
    found = fonts.find_fonts()
    if found.cjk is None:
        pytest.skip("no CJK font on this machine: scripts/setup installs fonts-wqy-microhei")
    return found


@pytest.mark.parametrize("size", [card.LANDSCAPE, card.PORTRAIT])
def test_png_has_the_format_size(size: tuple[int, int]) -> None:
    image = Image.open(io.BytesIO(card.png(EDIT, INFO, size)))
    assert image.format == "PNG" and image.size == size


def test_other_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="1200"):
        card.render(EDIT, INFO, (800, 800))


def test_blocks_headline_first_then_units_in_order() -> None:
    kinds = [b.kind for b in card.blocks(EDIT)]
    assert kinds == ["title", "edited", "deleted"]
    edited = card.blocks(EDIT)[1].spans
    assert ("Tuesday", "delete") in edited and ("Wednesday", "insert") in edited


def test_long_unchanged_stretches_are_elided() -> None:
    words = " ".join(f"w{i}" for i in range(60))
    spans = card.elide([(words + " ", "equal"), ("old", "delete"), ("new", "insert"),
                        (" " + words, "equal")])
    text = "".join(t for t, _ in spans)
    assert "w59 " in text and "w0 " not in text.split("old")[0]  # only the near context
    assert ("… ", "more") in spans and (" …", "more") in spans
    assert "w40" not in text.split("new")[1]


def test_a_long_change_is_cut_to_fit_and_counted() -> None:
    old = "\n\n".join(f"Paragraph {i} says something quite long about the matter at hand, "
                      "with many words in it so that it wraps." for i in range(40))
    new = "\n\n".join(f"Paragraph {i} says something different about the matter at hand, "
                      "with many more words in it so that it wraps." for i in range(40))
    made = card.render(change(old, new), INFO)
    assert made.image.size == card.LANDSCAPE
    assert 0 < made.shown < made.total == 40


def test_wrapped_lines_fit_the_width(files: fonts.FontFiles) -> None:
    faces = card.Faces(files, card.METRICS[card.LANDSCAPE])
    text = ("An extraordinarily-long-compound-word-that-cannot-fit-on-any-line-at-all-"
            "whatever-happens-to-it and then 東京の工場でも同様の事故があった。" * 3)
    lines = card.wrap(card.pieces([(text, "insert")], faces.of), 400, faces.of)
    assert len(lines) > 3
    assert all(card.line_width(line, faces.body.space) <= 400 for line in lines)
    assert "".join(p.text for line in lines for p in line) == text.replace(" ", "")


def test_cjk_is_drawn_with_a_font_that_has_it(files: fonts.FontFiles) -> None:
    face = fonts.Face(files, 30)
    assert [font is face.cjk for _, font in face.runs("Tokyo 東京")] == [False, True]

    def drawn(text: str) -> bytes:
        image = Image.new("L", (200, 50), 0)
        face.draw(ImageDraw.Draw(image), 0, 0, text, "white")
        return image.tobytes()

    assert drawn("東京") != drawn("\U000e0001\U000e0001")  # not the missing-glyph boxes
    assert drawn("東京") != drawn("京東")


def test_right_to_left_words_are_placed_from_the_right(files: fonts.FontFiles) -> None:
    faces = card.Faces(files, card.METRICS[card.LANDSCAPE])
    line = card.pieces([("שלום עולם New York 2020 היום", "equal")], faces.of)
    placed = {p.text: x for x, p in card.placed(line, True, 0, 1000, faces.body.space)}
    assert placed["שלום"] > placed["עולם"] > placed["New"]  # read from the right
    assert placed["New"] < placed["York"]  # a left-to-right run keeps its order
    assert placed["היום"] < placed["New"]
    assert max(x + p.width for x, p in card.placed(line, True, 0, 1000,
                                                     faces.body.space)) == pytest.approx(1000)


def test_word_order_follows_the_bidi_algorithm_in_little() -> None:
    assert fonts.visual_order(list("RRLLNR"), rtl=True) == [5, 4, 2, 3, 1, 0]
    assert fonts.visual_order(list("LLRRNL"), rtl=False) == [0, 1, 3, 2, 4, 5]
    assert fonts.visual_order(list("LNL"), rtl=True) == [0, 1, 2]


def test_a_right_to_left_card_is_inked_on_the_right(files: fonts.FontFiles) -> None:
    made = card.render(change("הממשלה החליטה היום על הקמת ועדה.",
                              "הממשלה החליטה אתמול על הקמת ועדה."), INFO, fonts=files)
    body = made.image.convert("L").crop((0, 160, 1200, 560))  # below the header
    ink = [x for x in range(60, 1200) if any(_dark(body.getpixel((x, y))) for y in range(360))]
    assert ink and min(ink) > 600  # a short Hebrew sentence ends near the right edge


def test_alt_text_reads_the_same_change() -> None:
    alt = card.alt_text(EDIT, INFO)
    assert alt.startswith("The Daily Example: changes to “Plant blast injures 14”")
    assert "Headline was “Blast injures 12”, now “Blast injures 14”." in alt
    assert "Changed: “The minister said on Tuesday" in alt
    assert "Removed: “Police named no suspect.”" in alt
    assert "numbers changed" in alt


def test_alt_text_keeps_to_its_limit_and_counts_the_rest() -> None:
    old = "\n\n".join(f"Sentence number {i} is here." for i in range(100))
    new = "\n\n".join(f"Sentence number {i} was here." for i in range(100))
    alt = card.alt_text(change(old, new), INFO, limit=600)
    assert len(alt) <= 600 and alt.endswith("more changes.")


def _dark(pixel: object) -> bool:
    return isinstance(pixel, int) and pixel < 128
