"""Reading unit lists (责任单位) the way a careful clerk does: plans/documents/units.py.

Each table states one rule of the module docstring with real lists from the development corpus
(tests/data/corpus, checked to be there verbatim) and invented lists of the same family.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from plans.documents.unit_aliases import aliases_for, unit_key
from plans.documents.unit_names import is_person_or_role
from plans.documents.units import (
    carry_prefix,
    clean_unit_name,
    expand_siblings,
    looks_like_unit,
    split_units,
)

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def _cases(*rows: tuple[str, list[str]]) -> list[object]:
    return [pytest.param(text, want, id=text[:24]) for text, want in rows]


# ---------------------------------------------------------------------------- corpus lists

# (file number, list as the file writes it, the units a clerk reads from it)
CORPUS_LISTS: list[tuple[str, str, list[str]]] = [
    # 01: 各乡、镇人民政府 is one collective; 人民大垸、荒湖管理区 share 管理区; `、` and `,` mixed
    (
        "01",
        "市统计局,各乡、镇人民政府,人民大垸、荒湖管理区,监利经济开发区",
        ["市统计局", "各乡、镇人民政府", "人民大垸管理区", "荒湖管理区", "监利经济开发区"],
    ),
    (
        "01",
        "市统计局、市市场监管局,各乡、镇人民政府,人民大垸、荒湖管理区,监利经济开发区",
        [
            "市统计局",
            "市市场监管局",
            "各乡、镇人民政府",
            "人民大垸管理区",
            "荒湖管理区",
            "监利经济开发区",
        ],
    ),
    (
        "01",
        "市统计局,市直各部门,各乡、镇人民政府,人民大垸、荒湖管理区,监利经济开发区",
        [
            "市统计局",
            "市直各部门",
            "各乡、镇人民政府",
            "人民大垸管理区",
            "荒湖管理区",
            "监利经济开发区",
        ],
    ),
    (
        "01",
        "各乡、镇人民政府,人民大垸、荒湖管理区,监利经济开发区,市政府各部门",
        ["各乡、镇人民政府", "人民大垸管理区", "荒湖管理区", "监利经济开发区", "市政府各部门"],
    ),
    # 02: 科室 of one bureau
    ("02", "办公室", ["办公室"]),
    ("02", "各科室", ["各科室"]),
    # 03: the 责任人 column holds persons, one per line, one with a space inside
    ("03", "朱先涛\n\n刘继军", []),
    ("03", "张炳炎\n\n李兴乐\n\n陈  忠", []),
    # 04: no prefix at all (nothing to carry); 规划和自然资源分局 is one name; 各镇(街道)
    (
        "04",
        "发改局、住建局、财政局、规划和自然资源分局、国兴集团、新锦集团、科投集团,"
        "锦城街道、锦北街道、锦南街道、青山湖街道、昌化镇、天目山镇",
        [
            "发改局",
            "住建局",
            "财政局",
            "规划和自然资源分局",
            "国兴集团",
            "新锦集团",
            "科投集团",
            "锦城街道",
            "锦北街道",
            "锦南街道",
            "青山湖街道",
            "昌化镇",
            "天目山镇",
        ],
    ),
    (
        "04",
        "财政局、教育局、规划和自然资源分局、医疗保障分局、民政局、妇联,各镇(街道)",
        ["财政局", "教育局", "规划和自然资源分局", "医疗保障分局", "民政局", "妇联", "各镇(街道)"],
    ),
    # 05: enterprises and zones as lead units
    ("05", "城投集团", ["城投集团"]),
    ("05", "公共服务集团", ["公共服务集团"]),
    # 06: two units in one cell on separate lines
    ("06", "农业股\n\n乡村产业发展股", ["农业股", "乡村产业发展股"]),
    ("06", "农田建设管理股、农业股", ["农田建设管理股", "农业股"]),
    # 07: 市 carried over a list; 和 inside names; …等
    (
        "07",
        "市发展改革委、工业和信息化委、住房和城乡建设局、农业局等",
        ["市发展改革委", "市工业和信息化委", "市住房和城乡建设局", "市农业局"],
    ),
    ("07", "市工业和信息化委、水利局", ["市工业和信息化委", "市水利局"]),
    (
        "07",
        "各县(市、区)党委和人民政府,城乡一体化示范区、高新区党工委和管委会",
        ["各县(市、区)党委和人民政府", "城乡一体化示范区党工委和管委会", "高新区党工委和管委会"],
    ),
    # 08: the notice's addressees
    (
        "08",
        "各县(市)、区人民政府,市政府各部门、各直属单位",
        ["各县(市)、区人民政府", "市政府各部门", "各直属单位"],
    ),
    # 09: persons and roles are no units; a list that writes 市 out keeps 宁波电业局 bare
    ("09", "市公安局、市城管局,各区政府", ["市公安局", "市城管局", "各区政府"]),
    ("09", "市交通委,各区政府,相关管委会", ["市交通委", "各区政府", "相关管委会"]),
    ("09", "劳可军,各区区长,相关管委会主任", []),
    (
        "09",
        "市发改委、市经信委、市公安局、市财政局、市国土资源局、市规划局、市住建委、市城管局、"
        "市工商局、宁波电业局",
        [
            "市发改委",
            "市经信委",
            "市公安局",
            "市财政局",
            "市国土资源局",
            "市规划局",
            "市住建委",
            "市城管局",
            "市工商局",
            "宁波电业局",
        ],
    ),
    # 10: a note in brackets after the last name
    (
        "10",
        "市经信局、市财政局、市发展改革委、市人力社保局、市金融办、"
        "市税务局(列第一位者为工作牵头单位或汇总单位,下同)",
        ["市经信局", "市财政局", "市发展改革委", "市人力社保局", "市金融办", "市税务局"],
    ),
    (
        "10",
        "各区县人民政府,南太湖新区管委会,市府各部门,市直各单位",
        ["各区县人民政府", "南太湖新区管委会", "市府各部门", "市直各单位"],
    ),
    # 11: 市财政(地税)局; zones sharing 管委会
    (
        "11",
        "市农办、市经信委、市科技局、市财政(地税)局、市人力社保局、市建设局、市农业局、市商务局、市环保局",
        [
            "市农办",
            "市经信委",
            "市科技局",
            "市财政(地税)局",
            "市人力社保局",
            "市建设局",
            "市农业局",
            "市商务局",
            "市环保局",
        ],
    ),
    (
        "11",
        "各县(市、区)政府和金华开发区、金义都市新区、金华山旅游经济区管委会",
        ["各县(市、区)政府", "金华开发区管委会", "金义都市新区管委会", "金华山旅游经济区管委会"],
    ),
    ("11", "各县(市、区)人民政府,市直属各单位", ["各县(市、区)人民政府", "市直属各单位"]),
    # 12: 和 inside names of a list that writes 区 in full
    (
        "12",
        "区财政局、区住房和城建局、区商务局、区文化和广电旅游体育局、区统计局、区投促局、"
        "区电子机械功能区管委会、各街道办事处",
        [
            "区财政局",
            "区住房和城建局",
            "区商务局",
            "区文化和广电旅游体育局",
            "区统计局",
            "区投促局",
            "区电子机械功能区管委会",
            "各街道办事处",
        ],
    ),
    ("12", "区政府各部门、各直属单位,各街道办事处", ["区政府各部门", "各直属单位", "各街道办事处"]),
    # 13: 市 written once for a list; district governments are not 市 departments
    (
        "13",
        "市发改委、国土房管局、外经贸局、规划局",
        ["市发改委", "市国土房管局", "市外经贸局", "市规划局"],
    ),
    (
        "13",
        "市经贸委、国土房管局、规划局、黄埔区政府、南沙区政府",
        ["市经贸委", "市国土房管局", "市规划局", "黄埔区政府", "南沙区政府"],
    ),
    ("13", "市经贸委、科技局、外经贸局", ["市经贸委", "市科技局", "市外经贸局"]),
    ("13", "市国土房管局、规划局", ["市国土房管局", "市规划局"]),
    ("13", "市建委、国土房管局", ["市建委", "市国土房管局"]),
    (
        "13",
        "各区、县级市人民政府,市政府各部门、各直属机构",
        ["各区、县级市人民政府", "市政府各部门", "各直属机构"],
    ),
    # 14: unit forms in brackets closing an item
    ("14", "市国土局牵头", ["市国土局"]),
    (
        "14",
        "(市水利局、市发展改革委、市工信局、市市政公用局等部门按职责分工负责)",
        ["市水利局", "市发展改革委", "市工信局", "市市政公用局"],
    ),
    (
        "14",
        "各县(市)、区人民政府,市政府各委办局、各直属机构",
        ["各县(市)、区人民政府", "市政府各委办局", "各直属机构"],
    ),
    # 15: glued names
    ("15", "区发改局区统计局", ["区发改局", "区统计局"]),
    ("15", "区经信局区统计局", ["区经信局", "区统计局"]),
    ("15", "区商务局区统计局", ["区商务局", "区统计局"]),
    ("15", "区发改委区统计局", ["区发改委", "区统计局"]),
    # 16: the trailing 按职责分工分别负责
    (
        "16",
        "县政府办公室、县司法局、各有关部门,乡镇人民政府按职责分工分别负责",
        ["县政府办公室", "县司法局", "各有关部门", "乡镇人民政府"],
    ),
    (
        "16",
        "各乡镇人民政府,各街道办事处,产业集聚区管委会,县直有关单位",
        ["各乡镇人民政府", "各街道办事处", "产业集聚区管委会", "县直有关单位"],
    ),
    # 18: collectives and zones; the 以下均需… note is no unit
    ("18", "市政府有关部门,各县市区", ["市政府有关部门", "各县市区"]),
    (
        "18",
        "市政府有关部门,各县市区,以下均需各县市区落实,不再逐",
        ["市政府有关部门", "各县市区"],
    ),
    (
        "18",
        "各县、市、区人民政府,漳河新区,屈家岭管理区,荆门高新区,大柴湖开发区,市政府各部门",
        [
            "各县、市、区人民政府",
            "漳河新区",
            "屈家岭管理区",
            "荆门高新区",
            "大柴湖开发区",
            "市政府各部门",
        ],
    ),
]


def _corpus_text(number: str) -> str:
    (path,) = [p for p in CORPUS.glob(f"{number}_*.txt") if not p.name.endswith(".source.txt")]
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("number", "text", "want"),
    [pytest.param(n, t, w, id=f"{n}-{t[:16]}") for n, t, w in CORPUS_LISTS],
)
def test_corpus_lists(number: str, text: str, want: list[str]) -> None:
    assert text in _corpus_text(number), "the example must be in the corpus file as written"
    assert split_units(text) == want


# ---------------------------------------------------------------------------- rule by rule

# Rule 1: names containing 和, 、 or (…) stay whole when they are one body; 和/及 split only
# between two whole unit names.
ONE_BODY = _cases(
    ("市住房和城乡建设局", ["市住房和城乡建设局"]),
    ("区文化和广电旅游体育局", ["区文化和广电旅游体育局"]),
    ("市工业和信息化委", ["市工业和信息化委"]),
    ("区卫生和计划生育局", ["区卫生和计划生育局"]),
    ("人力资源和社会保障局", ["人力资源和社会保障局"]),
    ("市发展和改革委员会", ["市发展和改革委员会"]),
    ("各乡、镇人民政府", ["各乡、镇人民政府"]),
    ("各辖市、区科技局", ["各辖市、区科技局"]),
    ("各区、县级市", ["各区、县级市"]),
    ("各县、市、区人民政府", ["各县、市、区人民政府"]),
    ("各县(市、区)", ["各县(市、区)"]),
    ("各县(市、区)党委和人民政府", ["各县(市、区)党委和人民政府"]),
    ("各级党委和政府", ["各级党委和政府"]),
    ("高新区党工委和管委会", ["高新区党工委和管委会"]),
    ("市财政(地税)局", ["市财政(地税)局"]),
    ("区纪委(区监委)", ["区纪委(区监委)"]),
    ("各镇(街道)", ["各镇(街道)"]),
    ("各乡镇(管理区)、各部门", ["各乡镇(管理区)", "各部门"]),
    ("各有关单位、部门", ["各有关单位、部门"]),
)
TWO_BODIES_JOINED = _cases(
    ("市科技局和市财政局", ["市科技局", "市财政局"]),
    ("市科技局及各县区科技局", ["市科技局", "各县区科技局"]),
    ("市科技局以及市财政局", ["市科技局", "市财政局"]),
    ("县财政局及各乡镇", ["县财政局", "各乡镇"]),
    ("局办公室和各处室", ["局办公室", "各处室"]),
    ("市住房和城乡建设局和市财政局", ["市住房和城乡建设局", "市财政局"]),
    ("市教育局和体育局", ["市教育局", "市体育局"]),  # and 市 carried (rule 2)
    # a collective's places of different levels are two bodies
    ("各乡镇、区发改局", ["各乡镇", "区发改局"]),
    ("各区、市直各部门", ["各区", "市直各部门"]),
)

# Rule 2: a place prefix written once covers the list's bare department names.
CARRIED_PREFIX = _cases(
    ("区发改局、财政局", ["区发改局", "区财政局"]),
    ("县发改局、市场监管局、乡村振兴局", ["县发改局", "县市场监管局", "县乡村振兴局"]),
    ("市生态环境局、市场监管局", ["市生态环境局", "市市场监管局"]),
    ("市科技局、财政局", ["市科技局", "市财政局"]),
    ("省发展改革委、省科技厅、财政厅", ["省发展改革委", "省科技厅", "省财政厅"]),
    (
        "市教育局、财政局、人社局、卫健委、医保局",
        ["市教育局", "市财政局", "市人社局", "市卫健委", "市医保局"],
    ),
    ("市科协、科技局", ["市科协", "市科技局"]),
    ("市发改委、金融办", ["市发改委", "市金融办"]),
    ("市发改委、区统计局、教育局", ["市发改委", "区统计局", "区教育局"]),  # the last prefix written
    ("县教体局、卫健局,各乡镇(街道)", ["县教体局", "县卫健局", "各乡镇(街道)"]),
    ("縣發改局、財政局", ["縣發改局", "縣財政局"]),
)
PREFIX_NOT_CARRIED = _cases(
    ("市发改委、城投集团", ["市发改委", "城投集团"]),
    ("区财政局、各科室", ["区财政局", "各科室"]),
    ("县财政局、办公室", ["县财政局", "办公室"]),
    ("区发改局、锦城街道、昌化镇", ["区发改局", "锦城街道", "昌化镇"]),
    ("市发改委、黄埔区政府", ["市发改委", "黄埔区政府"]),
    ("市科技局、常州经开区科技金融局", ["市科技局", "常州经开区科技金融局"]),
    ("市发改委、高新区管委会", ["市发改委", "高新区管委会"]),
    ("区委组织部、宣传部", ["区委组织部", "宣传部"]),  # 区委 is not 区: nothing carried
    # a list that writes the prefix out keeps a bare name as it is
    (
        "市公安局、市财政局、市规划局、宁波供电公司、电信局",
        ["市公安局", "市财政局", "市规划局", "宁波供电公司", "电信局"],
    ),
    # bureau offices keep the bureau expansion, never a level prefix
    (
        "局创新处、高新处、产学研处、对外合作处",
        ["局创新处", "局高新处", "局产学研处", "局对外合作处"],
    ),
    (
        "局产学研处、高新处、科评处、规划处、组织人事处、办公室",
        ["局产学研处", "局高新处", "局科评处", "局规划处", "局组织人事处", "局办公室"],
    ),
    ("市科技局高新处、农社处", ["市科技局高新处", "市科技局农社处"]),
    ("市公安局交警支队、消防支队", ["市公安局交警支队", "市公安局消防支队"]),
)

# Rule 3: glued names split where a place prefix starts again after an organ ending.
GLUED = _cases(
    ("区发改局区统计局", ["区发改局", "区统计局"]),
    ("县财政局县审计局", ["县财政局", "县审计局"]),
    ("市发改委市统计局", ["市发改委", "市统计局"]),
    ("县委办县政府办", ["县委办", "县政府办"]),
    ("區發改局區統計局", ["區發改局", "區統計局"]),
    ("区发改局区统计局、区财政局", ["区发改局", "区统计局", "区财政局"]),
)
NOT_GLUED = _cases(
    ("市政府办公室", ["市政府办公室"]),
    ("市科技局高新处", ["市科技局高新处"]),
    ("区住房和城建局", ["区住房和城建局"]),
    ("市委市政府督查室", ["市委市政府督查室"]),
    ("区工商局市场科", ["区工商局市场科"]),  # 市场 is a word, not 市
    ("区发改经信局", ["区发改经信局"]),
    ("市市政公用局", ["市市政公用局"]),
)

# Rule 4: a short bare name before 、 shares the ending of the unit after it.
SHARED_ENDING = _cases(
    ("人民大垸、荒湖管理区", ["人民大垸管理区", "荒湖管理区"]),
    ("发改、财政、审计部门", ["发改部门", "财政部门", "审计部门"]),
    ("乡、镇人民政府", ["乡人民政府", "镇人民政府"]),
    ("东城区、西城区人民政府", ["东城区人民政府", "西城区人民政府"]),
    ("昌化镇、天目山镇人民政府", ["昌化镇人民政府", "天目山镇人民政府"]),
    ("开发区、高新区管委会", ["开发区管委会", "高新区管委会"]),
)
NO_SHARED_ENDING = _cases(
    ("市科技局、财政局", ["市科技局", "市财政局"]),
    ("各乡、镇人民政府", ["各乡、镇人民政府"]),
    ("锦城街道、锦北街道", ["锦城街道", "锦北街道"]),
    ("黄埔区政府、南沙区政府", ["黄埔区政府", "南沙区政府"]),
    ("人民大垸,荒湖管理区", ["人民大垸", "荒湖管理区"]),  # only 、 writes an ending once
    ("王纲、市发改委", ["市发改委"]),  # a person takes nothing, and is dropped
)

# Rule 5: tails and fillers are no part of a name.
TAILS = _cases(
    ("市农业局等", ["市农业局"]),
    ("市科技局等有关部门", ["市科技局"]),
    ("市发改委、市财政局等单位", ["市发改委", "市财政局"]),
    ("市直有关部门按照职责分工负责", ["市直有关部门"]),
    ("各县市区按职责分别负责", ["各县市区"]),
    ("市水利局、市财政局共同推进", ["市水利局", "市财政局"]),
    ("市水利局牵头,市财政局配合", ["市水利局", "市财政局"]),
    ("市发改委(牵头)、市财政局", ["市发改委", "市财政局"]),
    ("由市发改委负责", ["市发改委"]),
    ("各辖市、区科技局,常州经开区科技金融局落实", ["各辖市、区科技局", "常州经开区科技金融局"]),
    (
        "县政府办公室、县司法局、各有关部门、乡镇人民政府等",
        ["县政府办公室", "县司法局", "各有关部门", "乡镇人民政府"],
    ),
    ("牵头单位:市发改局;责任单位:市统计局", ["市发改局", "市统计局"]),
    ("(市发改委)", ["市发改委"]),
    ("(含开发区)", []),
    ("按职责分工负责", []),
    ("配合单位", []),
)

# Rule 6: persons, roles and titles are never returned.
PERSONS_DROPPED = _cases(
    ("朱先涛", []),
    ("陈  忠", []),
    ("张炳炎 陈  忠", []),
    ("牵头领导:王仁洲", []),
    ("市交通委,各区政府,相关管委会,各区区长", ["市交通委", "各区政府", "相关管委会"]),
    ("市发改委、分管领导、责任人", ["市发改委"]),
    ("局领导,局办公室", ["局办公室"]),
    ("王纲市长", []),
    ("欧阳明华、市科技局", ["市科技局"]),
)

# Rule 7: mixed separators, spaces and line breaks, full-width punctuation.
SEPARATORS = _cases(
    ("区发改局;区财政局/区统计局", ["区发改局", "区财政局", "区统计局"]),
    ("市科技局,\n市财政局", ["市科技局", "市财政局"]),
    ("区发改局 区统计局", ["区发改局", "区统计局"]),
    ("农业股\n乡村产业发展股", ["农业股", "乡村产业发展股"]),
    ("市水利 局", ["市水利局"]),  # a name a space broke
    ("市科技局 、 市财政局", ["市科技局", "市财政局"]),
    ("市发改委，国土房管局；各县（市、区）", ["市发改委", "市国土房管局", "各县(市、区)"]),
    ("（牵头单位：市发改局）", ["市发改局"]),
    ("各乡\u3000镇人民政府", ["各乡镇人民政府"]),
    ("2", []),
    ("", []),
)

# Rule 8: Traditional characters are read the same and returned as written.
TRADITIONAL = _cases(
    ("縣政府辦公室、縣司法局、各鄉鎮", ["縣政府辦公室", "縣司法局", "各鄉鎮"]),
    ("各鄉、鎮人民政府", ["各鄉、鎮人民政府"]),
    ("縣財政局和縣審計局", ["縣財政局", "縣審計局"]),
    ("縣住房和城鄉建設局", ["縣住房和城鄉建設局"]),
    ("縣教育局等部門按職責分工負責", ["縣教育局"]),
    ("陳  忠,縣長,縣農業農村局", ["縣農業農村局"]),
)


@pytest.mark.parametrize(
    ("text", "want"),
    ONE_BODY
    + TWO_BODIES_JOINED
    + CARRIED_PREFIX
    + PREFIX_NOT_CARRIED
    + GLUED
    + NOT_GLUED
    + SHARED_ENDING
    + NO_SHARED_ENDING
    + TAILS
    + PERSONS_DROPPED
    + SEPARATORS
    + TRADITIONAL,
)
def test_split_units(text: str, want: list[str]) -> None:
    assert split_units(text) == want


# ---------------------------------------------------------------------------- what a name is

UNITS = [
    "市发改委",
    "局高新处",
    "办公室",
    "各科室",
    "各县市区",
    "各县(市、区)",
    "各乡镇",
    "各街道",
    "各有关部门",
    "各区、县级市",
    "各辖市、区科技局",
    "市直各部门",
    "市政府有关部门",
    "相关管委会",
    "城投集团",
    "国网供电公司",
    "经管站",
    "农业股",
    "乡村产业发展股",
    "锦城街道",
    "昌化镇",
    "监利经济开发区",
    "人民大垸管理区",
    "城乡一体化示范区",
    "开发区",
    "高新区",
    "市轨道交通工程建设指挥部",
    "市财政(地税)局",
    "区纪委(区监委)",
    "县委",
    "团委",
    "妇联",
    "市残联",
    "县科协",
    "市总工会",
    "市消费者协会",
    "市工商业联合会",
    "中国人民银行宁波市中心支行",
    "市中级人民法院",
    "市人民检察院",
    "市公安局交警支队",
    "县农业执法大队",
    "区电子机械功能区管委会",
    "各街道办事处",
    "各县(市、区)党委和人民政府",
    "县供销合作社",
    "市科技局和市财政局",
    "市发改委、市财政局",  # a list of units
    "縣政府",
    "各鄉鎮",
    "區統計局",
    "含山县",  # a place that starts like a note
]
NOT_UNITS = [
    "",
    "人民政府",  # an ending alone
    "管委会",
    "部门",
    "单位",
    "中心",
    "全部",
    "干部",
    "小区",
    "学科",
    "人民大垸",
    "鄞州",
    "合计",
    "牵头单位",  # column headers
    "责任科室",
    "监考单位",
    "配合部门",
    "2006年",
    "(一)",
    "潜在",
    "市下达指标",
    "含开发区",  # a note about a unit
    "以下均需各县市区落实",
    "县政府主要工作任务第101项",
    # persons and roles
    "市长",
    "各区区长",
    "相关管委会主任",
    "朱先涛",
    "陈  忠",
    "局领导",
    "责任人",
]


@pytest.mark.parametrize("name", UNITS)
def test_looks_like_unit(name: str) -> None:
    assert looks_like_unit(name)
    assert not is_person_or_role(name)


@pytest.mark.parametrize("name", NOT_UNITS)
def test_does_not_look_like_unit(name: str) -> None:
    assert not looks_like_unit(name)


PERSONS_AND_ROLES = [
    "朱先涛",
    "刘继军",
    "张炳炎",
    "陈  忠",
    "陈忠",
    "劳可军",
    "王纲",
    "欧阳明华",
    "張炳炎",
    "各区区长",
    "市长",
    "县长",
    "副县长",
    "局长",
    "相关管委会主任",
    "办公室主任",
    "党委书记",
    "局领导",
    "分管领导",
    "责任领导",
    "责任人",
    "项目负责人",
    "联络员",
    "王纲市长",
    "張炳炎\n李興樂",
    "张炳炎\n\n李兴乐\n\n陈  忠",  # a cell of persons
    "张炳炎 陈  忠",
]
NOT_PERSONS_OR_ROLES = [
    "",
    "市发改委",
    "经管站",
    "农业股",
    "城投集团",
    "人民大垸",
    "办公室",
    "各科室",
    "单位",
    "部门",
    "领导小组",  # a body, not a leader
    "科技镇长团",
    "市长热线办",
    "市政府办公室",
    "各乡镇",
    "张炳炎、市发改委",  # a person and a unit: not only persons
]


@pytest.mark.parametrize("name", PERSONS_AND_ROLES)
def test_is_person_or_role(name: str) -> None:
    assert is_person_or_role(name)
    assert not looks_like_unit(name)


@pytest.mark.parametrize("name", NOT_PERSONS_OR_ROLES)
def test_is_not_person_or_role(name: str) -> None:
    assert not is_person_or_role(name)


# ---------------------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  局高新处。", "局高新处"),
        ("(局高新处)", "局高新处"),
        ("各县(市、区)", "各县(市、区)"),  # the brackets belong to the name
        ("各镇(街道)", "各镇(街道)"),
        ("市财政(地税)局", "市财政(地税)局"),
        ("区统计局)", "区统计局"),  # a bracket the list opened
        ("(区统计局", "区统计局"),
        ("市农业局等", "市农业局"),
        ("市 发改委,", "市发改委"),
        ("【局办公室】", "局办公室"),
    ],
)
def test_clean_unit_name(raw: str, clean: str) -> None:
    assert clean_unit_name(raw) == clean


def test_expand_siblings_gives_one_name_per_name() -> None:
    # the parser expands a lead list and a support list together, relying on one out per one in
    names = ["局规划处", "农社处", "各辖市、区科技局", "高新处"]
    assert expand_siblings(names) == ["局规划处", "局农社处", "各辖市、区科技局", "局高新处"]
    assert expand_siblings(["高新处", "农社处"]) == ["高新处", "农社处"]  # no bureau to give


def test_carry_prefix_gives_one_name_per_name() -> None:
    assert carry_prefix(["市经贸委", "国土房管局", "黄埔区政府"]) == [
        "市经贸委",
        "市国土房管局",
        "黄埔区政府",
    ]
    assert carry_prefix(["发改局", "财政局"]) == ["发改局", "财政局"]  # no prefix written


def test_unit_key_and_aliases() -> None:
    assert unit_key("各县(市、区)") == unit_key("各县（市、区）") == "各县市、区"
    assert set(aliases_for("局高新处")) == {"高新处"}
    assert set(aliases_for("市科技局高新处")) == {"高新处", "局高新处"}
    assert aliases_for("市发改委") == []


def test_split_units_returns_a_fresh_list() -> None:
    first = split_units("市发改委、国土房管局")
    first.append("x")
    assert split_units("市发改委、国土房管局") == ["市发改委", "市国土房管局"]


def test_time_grows_linearly_with_the_plan() -> None:
    """Splitting a plan's unit lists takes time in proportion to the plan: 2,000 lists take
    about ten times 200 (measured side by side, so a busy machine slows both; every list is
    new, so no cache answers). The absolute speed is bench/import_bench.py's business."""
    runs = iter(range(100))

    def run(count: int) -> float:
        k = next(runs)
        lists = [
            f"市发改委、国土房管局、规划局{i}号、各乡、镇人民政府,人民大垸、荒湖管理区,"
            f"区发改局区统计局、市住房和城乡建设局等部门按职责分工负责{k}-{i}"
            for i in range(count)
        ]
        start = time.perf_counter()
        for text in lists:
            split_units(text)
        return time.perf_counter() - start

    run(50)  # warm up
    small = min(run(200) for _ in range(3))
    large = min(run(2000) for _ in range(2))
    assert large / small < 30, (small, large)
