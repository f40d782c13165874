"""Word's automatic numbering is read back as the labels Word shows."""

from __future__ import annotations

import io
from datetime import date

import docx
from docx.oxml import parse_xml

from plans.documents.sources import parse_bytes

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _numbered_docx() -> bytes:
    """一、 / (一) / 1. as a three-level automatic list, and the built-in List Number style."""
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.append(
        parse_xml(
            f"""<w:abstractNum {W} w:abstractNumId="90">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
            </w:abstractNum>"""
        )
    )
    numbering.append(parse_xml(f'<w:num {W} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:numPr {W}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>')
        )

    document.add_paragraph("云溪市科技局2024年工作要点")
    numbered("强化企业创新主体", 0)
    numbered("培育高新技术企业", 1)
    numbered("新增高企100家,6月底前完成。(责任单位:局高新处)", 2)
    numbered("建设研发机构15家。(责任单位:局产学研处)", 2)
    numbered("提升创新平台能级", 0)
    numbered("建设重点实验室", 1)
    numbered("新建省级实验室2个。(责任单位:局规划处)", 2)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_automatic_multilevel_numbering_becomes_the_hierarchy() -> None:
    plan = parse_bytes(_numbered_docx(), name="plan.docx").plan
    assert [(i.path, i.title) for i in plan.items] == [
        (("一、", "(一)", "1."), "新增高企100家,6月底前完成"),
        (("一、", "(一)", "2."), "建设研发机构15家"),
        (("二、", "(一)", "1."), "新建省级实验室2个"),
    ]
    assert plan.items[0].deadline == date(2024, 6, 30)
    assert [u.name for u in plan.items[2].units] == ["局规划处"]


def test_list_number_style_numbers_items() -> None:
    document = docx.Document()
    document.add_paragraph("2024年工作要点")
    for text in ("加强党建。(责任单位:局办公室)", "推进改革。(责任单位:局高新处)"):
        document.add_paragraph(text, style="List Number")
    buffer = io.BytesIO()
    document.save(buffer)
    plan = parse_bytes(buffer.getvalue(), name="plan.docx").plan
    assert [(i.number, i.title) for i in plan.items] == [("1.", "加强党建"), ("2.", "推进改革")]
