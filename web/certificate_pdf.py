"""A certificate as a PDF: the card's lines in Chinese and English, set in a CJK font found on the machine."""

from functools import cache
from pathlib import Path

from fontTools.ttLib import TTCollection
from fpdf import FPDF

from services.catalog.model import Text

# The face of a font collection that draws Simplified Chinese (Noto Sans CJK ships SC, TC, JP, KR and HK).
SIMPLIFIED = "SC"


@cache
def _simplified_face(path: str) -> int:
    if not path.endswith((".ttc", ".otc")):
        return 0
    for index, font in enumerate(TTCollection(path, lazy=True).fonts):
        if font["name"].getDebugName(1).endswith(SIMPLIFIED):
            return index
    return 0


def certificate_pdf(*, title: Text, lines: list[tuple[Text, Text]], note: Text, font_path: str) -> bytes:
    """`lines` are (label, value) in both languages, formatted as the card shows them."""
    if not Path(font_path).is_file():
        raise RuntimeError(
            f"no CJK font at {font_path}: install Debian's fonts-noto-cjk or set CERTIFICATE_FONT to a TTF/OTF/TTC"
        )
    pdf = FPDF(format="A4")
    pdf.set_title(f"{title.zh} {title.en}")
    pdf.set_creator("AtMostOnce")
    pdf.add_font("cjk", fname=font_path, collection_font_number=_simplified_face(font_path))
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(h=10, text=title.zh, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    pdf.cell(text=title.en, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for label, value in lines:
        pdf.set_font("cjk", size=9)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(h=6, text=f"{label.zh}  {label.en}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=13)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(w=0, h=7, text=value.zh if value.zh == value.en else f"{value.zh}  /  {value.en}")
        pdf.ln(3)
    pdf.ln(6)
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(w=0, h=5, text=f"{note.zh}\n{note.en}")
    return bytes(pdf.output())
