"""A plan table's header row: what each header cell names (its column kind) and where the row is.

What the columns mean: 工作任务 (or 任务名称, 目标任务, 实事项目) is the item; 项目/类别 group
items; 具体要求 / 工作举措 / 细化措施 add to the item's text; a schedule (实施计划, 工作流程)
too, but its quantities are steps, not targets; 牵头 columns name the lead,
配合/参与 the support, 责任单位 the lead unless a 牵头 column exists; 完成时限 the deadline and
milestones; 指标要求 the target. 完成情况 (progress), 分值 (scores), 责任人 (persons) and
目标类型 are read but are not part of the item.

A second column of a kind (牵头单位 beside 责任单位) is keyed with a "2" (lead2); `base_kind`
gives the kind it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Column kinds, tried in this order for each header cell.
_COLUMNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("number", re.compile(r"^(?:序号|编号|序|No\.?)$", re.I)),
    ("progress", re.compile(r"完成情况|进展情况|工作进展|目前进展|序时进度|备注")),
    ("persons", re.compile(r"责任人|责任领导|牵头领导|分管领导|联系人|包保领导")),
    ("score", re.compile(r"^(?:分值|分数|权重|考核分值)$")),
    ("kind", re.compile(r"^(?:目标类型|指标类型|类型|属性)$")),
    # 牵头/责任/配合 with any office word: 单位, 部门, 处室, 科室, 股室 (牵头科室, 配合股室), or alone
    (
        "support",
        re.compile(
            r"(?:配合|协办|参与|协同|协助)(?:单位|部门|处室|科室|股室)|^(?:配合|协办|参与)$"
        ),
    ),
    (
        "lead",
        re.compile(
            r"(?:牵头|责任|负责|主责|牵头责任)(?:单位|部门|处室|科室|股室)|监考单位|承办单位|实施单位"
            r"|^(?:牵头|责任|主责|责任主体)$"
        ),
    ),
    (
        "deadline",
        re.compile(
            r"完成时限|时间节点|完成时间|时限|进度安排|时间要求|完成期限|截止时间|限期时间|时间安排"
        ),
    ),
    ("targets", re.compile(r"量化指标|指标要求|目标值|^指标$|考核指标")),
    ("schedule", re.compile(r"实施计划|工作流程|推进计划|节点安排|实施步骤|推进步骤")),
    (
        "measures",
        re.compile(r"具体要求|工作举措|细化措施|工作措施|推进措施|主要措施|任务单|措施|工作要求"),
    ),
    (
        "task",
        re.compile(
            r"工作任务|重点任务|主要任务|具体任务|任务内容|工作内容|工作事项|任务名称|目标任务"
            r"|实事项目|^任务$|^工作$|^事项$|^项目内容$"
        ),
    ),
    (
        "section",
        re.compile(r"^(?:类别|分类|板块|领域|专项|重点领域|工作类别|项目类别|项目名称|项目)$"),
    ),
)


def column_kind(cell: str) -> str | None:
    """What a header cell names ("责任科室" → lead), or None."""
    name = re.sub(r"\s+", "", cell or "")
    if not name or len(name) > 16:
        return None
    for kind, pattern in _COLUMNS:
        if pattern.search(name):
            return kind
    return None


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]] | None:
    """The header row of a plan table (within the first rows) and where each column is."""
    for r, row in enumerate(rows[:15]):
        cols = _columns(row)
        if ("task" in cols or "section" in cols) and len(cols) >= 3:
            return r, cols
        if "task" in cols and ("lead" in cols or "number" in cols or "deadline" in cols):
            return r, cols
    return None


def _columns(row: Sequence[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, cell in enumerate(row):
        kind = column_kind(cell)
        if kind is None:
            continue
        key = kind
        while key in cols:  # a second lead column (牵头单位 and 责任单位) is kept as lead2
            key += "2"
        cols[key] = c
    # 项目 beside 工作任务 groups the tasks; alone, it is the item (实事项目).
    if "section" in cols and "task" not in cols:
        cols["task"] = cols.pop("section")
    return cols


def base_kind(key: str) -> str:
    """The column kind of a key: lead2 → lead."""
    return key.rstrip("2")
