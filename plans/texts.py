"""Every string a chat user sees, per language, in one place.

Chinese is the default; an English deployment is `DUBAN_LANGUAGE=en`, not a fork. Values are
str.format templates whose arguments are ALREADY HTML-escaped by the caller (`esc`), so the
templates may use Telegram's HTML tags (<b>, <i>, <code>) and nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

ZH: dict[str, str] = {
    "status_empty": "还没有导入工作要点。请先用 duban import 导入计划文件。",
    "due_usage": "用法:<code>/due 天数</code>,如 <code>/due 14</code>(默认 7 天)",
    "ledger_title_all": "工作要点",
    "export_caption": "督查台账,共 {count} 项。",
    "digest_chart_caption": "各单位平均进度(虚线为序时进度)",
    "help_views": (
        "/status — 总体进展;/status 单位名 或 /status 事项号 — 单位或事项详情\n"
        "/overdue 逾期 · /due [天数] 临期 · /stale 久未反馈 · /blocked 有困难\n"
        "/export — 导出督查台账(Excel)· /digest — 立即生成周报"
    ),
    # onboarding
    "welcome_unknown": (
        "您好,我是督办助手。\n您还没有加入督办名单,暂时无法查看或反馈任务。"
        "请向办公室(督查)索取邀请链接,点击链接即可加入。"
    ),
    "welcome_back": "您好,{name}。您的身份:{roles}。\n发送 /help 查看可用命令。",
    "invite_unknown": "邀请链接无效。请向办公室索取新的邀请链接。",
    "invite_used": "该邀请链接已被使用过。每个链接只能使用一次,请向办公室索取新的链接。",
    "invite_expired": "该邀请链接已过期。请向办公室索取新的邀请链接。",
    "joined_contact": (
        "欢迎,{name}!您已作为 <b>{unit}</b> 的联络员加入督办。\n"
        "我会在截止日期前、每月填报日和逾期时提醒您反馈进展。\n"
        "{unit} 负责的事项({count} 项):"
    ),
    "joined_group": "本群已绑定 <b>{unit}</b>,督办提醒将发送到本群,群成员均可回复进展。\n{unit} 负责的事项({count} 项):",
    "joined_role": "欢迎,{name}!您已作为 <b>{role}</b> 加入督办。发送 /help 查看可用命令。",
    "joined_again": "您已是 <b>{what}</b>,无需重复加入。",
    "no_items_yet": "(暂无事项,办公室分配后会通知您)",
    "role_admin": "管理员",
    "role_coordinator": "督查协调员",
    "role_leader": "领导",
    "role_contact": "{unit} 联络员",
    "whoami": "用户 ID:<code>{user_id}</code>\n会话 ID:<code>{chat_id}</code>\n身份:{roles}",
    "whoami_none": "用户 ID:<code>{user_id}</code>\n会话 ID:<code>{chat_id}</code>\n身份:未加入",
    "help_contact": (
        "<b>联络员可用命令</b>\n"
        "/mine — 本单位的事项、进度和下一个截止日期\n"
        "/report 事项号 进展 — 反馈进展,如 <code>/report 4 完成60%,预计11月底完成</code>\n"
        "也可直接回复督办提醒消息,或点消息下方的按钮。\n"
        "/whoami — 查看我的身份"
    ),
    "help_coordinator": (
        "<b>协调员可用命令</b>\n"
        "/invite 单位名 — 生成单位联络员的邀请链接\n"
        "/invite coordinator|leader — 邀请协调员或领导\n"
        "/unassigned — 尚未分配责任单位的事项\n"
        "/assign 事项号 单位[,单位…] [lead|support] — 分配责任单位\n"
        "/addunit 单位名 — 新增单位\n"
        "/review — 导入检查:导入时没把握的地方\n"
        "/merge 单位A 单位B — 把 A 并入 B(同一单位的两种写法)\n"
        "/rename 原名称 新名称 — 单位改名(原名称仍可用)\n"
        "/report 事项号 进展 — 代为登记进展\n"
        "/whoami — 查看我的身份"
    ),
    "help_leader": "<b>领导可用命令</b>\n/whoami — 查看我的身份\n每周一上午会收到督办周报。",
    "help_unknown": "请先通过办公室发给您的邀请链接加入。",
    "refused": "抱歉,您没有权限使用这个命令。",
    "unknown_command": "没有这个命令:{command}\n发送 /help 查看可用命令。",
    # invites and assignment
    "invite_usage": (
        "用法:<code>/invite 单位名</code> 邀请单位联络员,"
        "或 <code>/invite coordinator</code> / <code>/invite leader</code>"
    ),
    "invite_link": (
        "{what} 的邀请链接(一次有效,{days} 天内有效):\n{link}\n"
        "如需绑定单位工作群,请把机器人加入群后打开:\n{group_link}"
    ),
    "invite_link_role": "{what} 的邀请链接(一次有效,{days} 天内有效):\n{link}",
    "unit_unknown": "没有找到单位“{name}”。可用 /addunit {name} 新增,或检查名称。",
    "unit_ambiguous": "“{name}”对应多个单位,请写全称:{choices}",
    "unit_added": "已新增单位 <b>{unit}</b>。",
    "unit_exists": "单位 <b>{unit}</b> 已存在。",
    "addunit_usage": "用法:<code>/addunit 单位名</code>",
    "assign_usage": (
        "用法:<code>/assign 事项号 单位[,单位…] [lead|support]</code>\n"
        "例:<code>/assign 4 局高新处,局创新处 lead</code>;多个计划时事项号写作 <code>计划-序号</code>,如 2-15"
    ),
    "assigned": "已将第 {item} 项《{title}》分配给:{units}({role})。",
    "role_lead": "牵头",
    "role_support": "配合",
    "unassigned_none": "所有事项都已分配责任单位。",
    "unassigned_head": "尚未分配责任单位的事项({count} 项):",
    # the import review (plans/review.py) and its fixes: /merge, /rename
    "rv_head": "<b>导入检查</b>《{title}》,共 {count} 项,请核对:",
    "rv_head_plan": "<b>导入检查</b> 计划 {plan}《{title}》,共 {count} 项(事项号写作 {plan}-序号),请核对:",
    "rv_clean": "导入检查《{title}》:没有发现需要核对的地方。",
    "rv_no_unit": "· {count} 项没有责任单位:第 {items} 项",
    "rv_fix": "    → <code>{command}</code>",
    "rv_fix_in_chat": "    → 在聊天中分配:<code>{command}</code>",
    "rv_unit_word": "单位名",
    "rv_name_word": "名称",
    "rv_new_name_word": "新名称",
    "rv_look_alike_contained": "· “{name}”({count} 项)是“{other}”({other_count} 项)名称的一部分,可能是同一单位 → <code>{command}</code>",
    "rv_look_alike_prefix": "· “{name}”({count} 项)与“{other}”({other_count} 项)只差前缀,可能是同一单位 → <code>{command}</code>",
    "rv_odd": "· “{name}”(第 {items} 项)不像完整的单位名称 → <code>{command}</code>",
    "rv_once": "· {count} 个单位只出现一次,请核对名称:{units}",
    "rv_once_name": "{name}(第 {item} 项)",
    "rv_fix_once": "    → 名称有误:<code>{rename}</code>;与其他单位相同:<code>{merge}</code>",
    "rv_and_more": "{items}……另有 {count} 个",
    "rv_no_deadline": "· {count} 项没有写完成时限,按 {date} 计:第 {items} 项",
    "rv_many_targets": "· {count} 项读出 {min} 个以上数字指标,请核对:{items}",
    "rv_target_item": "第 {item} 项({count} 个)",
    "rv_skipped": "· 读到但未作为事项导入的内容 {count} 段:",
    "rv_skipped_text": "    {text}",
    "rv_warning": "· 提示:{text}",
    "rv_more": "    ……另有 {count} 处",
    "review_plan_unknown": "没有计划 {plan}。用法:<code>/review</code> 或 <code>/review 计划号</code>",
    "merge_usage": (
        "用法:<code>/merge 单位A 单位B</code> — 把 A 并入 B:A 的事项、反馈、联络员、邀请和提醒记录都归 B,"
        "今后写“A”即指 B。\n只改名请用 <code>/rename 原名称 新名称</code>"
    ),
    "merged": (
        "已将 <b>{source}</b> 并入 <b>{target}</b>:事项 {items} 项、反馈 {reports} 条、联络员 {contacts} 个、"
        "邀请 {invites} 个、提醒记录 {nudges} 条转到 {target}。今后“{source}”即指 {target}。"
    ),
    "merge_same": "“{name}”和“{other}”是同一个单位 <b>{unit}</b>,无需合并。",
    "merge_no_target": "没有找到单位“{name}”,无法并入。如果只是想给 {source} 改名,请用 <code>/rename {source} {name}</code>。",
    "unit_not_found": "没有找到单位“{name}”。合并和改名需要写出单位的全称或已有的简称。",
    "unit_not_found_like": "没有找到单位“{name}”。名称相近的单位:{choices}",
    "rename_usage": "用法:<code>/rename 原名称 新名称</code> — 单位改名,事项、反馈和联络员不变,原名称仍可使用。",
    "renamed": "已将 <b>{old}</b> 改名为 <b>{new}</b>,事项、反馈和联络员不变;今后写“{old}”仍指该单位。",
    "rename_same": "单位 <b>{name}</b> 已经是这个名称,无需改名。",
    "rename_taken": "“{name}”已是单位 <b>{other}</b> 的名称。如两者是同一单位,请用 <code>/merge {source} {other}</code> 合并。",
    "unit_name_too_long": "单位名称太长(最多 {max} 个字),请检查。",
    # items
    "item_unknown": "没有找到第 {item} 项。{hint}",
    "item_ambiguous": "有多个计划都有第 {item} 项,请写作 计划-序号,如 {example}。",
    "item_not_yours": "第 {item} 项不是您单位负责的事项,无法反馈。发送 /mine 查看您的事项。",
    "mine_none": "您的单位暂无事项。",
    "mine_head": "<b>{unit}</b> 的事项({count} 项):",
    "mine_line": "{light} {ref}. {title}\n    截止 {deadline}{milestone} · {progress}",
    "mine_never": "尚未反馈",
    "mine_last": "{status} {percent}({when})",
    "next_milestone": ",下一节点 {date}",
    # reporting
    "report_usage": (
        "用法:<code>/report 事项号 进展</code>\n例:<code>/report 4 完成60%,预计11月底完成</code>"
    ),
    "recorded": "已记录 第 {item} 项《{title}》:{what}。\n如有误,可直接编辑原消息或再次回复。",
    "recorded_button": "已记录 第 {item} 项《{title}》:{what}。\n可回复本消息补充一句说明(可选)。",
    "recorded_blocked": "已记录 第 {item} 项《{title}》:有困难。\n请回复本消息简要说明困难,便于协调解决。",
    "updated": "已更新 第 {item} 项《{title}》:{what}。",
    "evidence_kept": "已保存附件 {name} 作为第 {item} 项的佐证材料。",
    "file_needs_item": "请回复督办提醒或确认消息发送附件,或在附件说明里写明事项号(如“4 验收报告”)。",
    "which_item": "这条进展是关于哪一项?请点选:",
    "which_item_none": "没能确定这条进展对应的事项。请用 <code>/report 事项号 进展</code> 反馈。",
    "draft_gone": "这条进展已经登记过或已失效。",
    "button_done": "✅完成",
    "button_progress": "⏳推进中",
    "button_blocked": "⚠️有困难",
    "button_ok": "已记录",
    "not_member_button": "您不是该事项责任单位的联络员。",
    "status_done": "已完成",
    "status_in_progress": "推进中",
    "status_blocked": "有困难",
    "status_not_started": "未启动",
    "status_unread": "已收到(未识别出进度)",
    # nudges
    "nudge_head": "【督办提醒】<b>{unit}</b>\n请反馈以下事项进展(直接回复本消息,或点下方按钮):",
    "nudge_upcoming": "{ref}. {title}\n    截止 {about}(还有 {days} 天)",
    "nudge_today": "{ref}. {title}\n    今天({about})截止",
    "nudge_milestone": "{ref}. {title}\n    节点 {about}(还有 {days} 天)",
    "nudge_cycle": "{ref}. {title}\n    本期进展填报(截止 {deadline})",
    "nudge_cycle_ongoing": "{ref}. {title}\n    本期进展填报(持续推进)",
    "nudge_overdue": "{ref}. {title}\n    ⚠️ 已逾期 {days} 天(截止 {about})",
    "nudge_tail": "回复示例:<code>{example} 完成60%,预计11月底完成</code>",
    "escalation_head": "【督办预警】以下单位需要协调:",
    "escalation_overdue": "· {unit}:第 {ref} 项《{title}》逾期未完成,已提醒 {count} 次",
    "escalation_ignored": "· {unit}:连续 {count} 次提醒未反馈",
    "unreachable": "⚠️ <b>{unit}</b> 已没有可联系的联络员({who} 已屏蔽机器人或会话不存在)。请重新邀请:<code>/invite {unit}</code>",
    "error": "抱歉,处理时出错了,请稍后再试。",
    # status views (plans/views.py) and the weekly digest (plans/digest.py)
    "list_sep": "、",
    "unit_sep": ",",
    "units_more": "{units}等{count}个单位",
    "units_none": "未分配单位",
    "month_names": "1 2 3 4 5 6 7 8 9 10 11 12",
    "day_month": "{month}月{day}日",
    "view_progress": "{status} {percent}%",
    "view_what_deadline": "截止",
    "view_ongoing": "持续推进",
    "iv_ongoing": "无截止日期({phrase})",
    "view_what_milestone": "节点",
    "view_due": "{what} {date}(还有 {days} 天)",
    "view_due_today": "{what} {date}(今天)",
    "view_overdue": "已逾期 {days} 天(截止 {date})",
    "more_items": "……另有 {count} 项未列出",
    "st_head": "<b>督办概览</b>(截至 {date})",
    "st_plans": "计划:{titles}",
    "st_lights": "共 {count} 项:🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "st_statuses": "未启动 {not_started} · 推进中 {in_progress} · 已完成 {done} · 有困难 {blocked}",
    "st_completion": "平均进度 {mean}% · 量化指标已达成 {reached}/{targets}({share}%)",
    "st_completion_no_targets": "平均进度 {mean}% · 无量化指标",
    "st_silent": "本期({since} 起)未反馈单位 {count} 个:{units}",
    "st_silent_none": "本期({since} 起)各单位均已反馈。",
    "st_red_head": "<b>🔴 红灯事项 {count} 项</b>",
    "st_red_none": "暂无红灯事项。",
    "st_red_line": "🔴 {ref}. {title} · {units}",
    "st_empty": "暂无事项。请先导入工作要点。",
    "uv_head": "<b>{unit}</b> 的事项 {count} 项:🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "uv_none": "<b>{unit}</b> 暂无事项。",
    "uv_item": "{light} {ref}. {title}{role}\n    {state}\n    {last}",
    "uv_support": "(配合)",
    "uv_last": "最近反馈 {when} {who}:{text}",
    "uv_never": "尚未反馈",
    "iv_head": "{light} <b>{ref}. {title}</b>",
    "iv_deadline": "截止 {date}{phrase}",
    "iv_phrase": "({text})",
    "iv_lead": "牵头:{units}",
    "iv_support": "配合:{units}",
    "iv_targets": "<b>量化指标</b>",
    "iv_target": "· {target} → 已报 {value}{measure}{mark}",
    "iv_target_none": "· {target} → 尚未报数",
    "iv_milestones": "<b>时间节点</b>",
    "iv_milestone": "· {date} {text}{mark}",
    "iv_passed": "(已过)",
    "iv_history": "<b>反馈记录</b> {count} 条(新的在前)",
    "iv_report": "· {when} {who}:{progress} {text}{expected}",
    "iv_expected": "(预计 {date} 完成)",
    "iv_no_reports": "尚未反馈",
    "fl_line": "{light} {ref}. {title} · {units}\n    {detail}",
    "fl_overdue_head": "<b>已逾期事项</b> {count} 项",
    "fl_overdue_none": "没有逾期事项。",
    "fl_due_head": "<b>{days} 天内到期的事项</b> {count} 项",
    "fl_due_none": "{days} 天内没有到期的事项。",
    "fl_stale_head": "<b>{since} 以来未反馈的事项</b> {count} 项",
    "fl_stale_none": "{since} 以来所有未完成事项都有反馈。",
    "fl_stale_last": "最近反馈 {date}({days} 天前)",
    "fl_stale_never": "从未反馈",
    "fl_blocked_head": "<b>有困难的事项</b> {count} 项",
    "fl_blocked_none": "没有报告有困难的事项。",
    "fl_blocked_detail": "{when} {who}:{text}",
    "dg_head": "<b>督办周报</b> {title}(截至 {date})",
    "dg_headline": "共 {items} 项 · 已完成 {done} 项 · 平均进度 {mean}%\n🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "dg_changes": "<b>本周变化</b>:新增红灯 {newly_red} 项 · 新完成 {newly_done} 项 · 新反馈 {reports} 条",
    "dg_newly_red": "🆕 新增红灯:{items}",
    "dg_newly_done": "✅ 新完成:{items}",
    "dg_red_head": "<b>🔴 红灯事项 {count} 项</b>",
    "dg_red_none": "🔴 暂无红灯事项。",
    "dg_red_line": "🔴 {ref}. {title} · {units} · {why}\n    {last}",
    "dg_last": "最近反馈 {when}:{text}",
    "dg_never": "尚未反馈",
    "why_blocked": "有困难",
    "why_overdue": "逾期 {days} 天",
    "why_behind": "落后序时进度 {points} 个百分点",
    "dg_silent": "<b>本期未反馈单位 {count} 个</b>:{units}",
    "dg_silent_none": "本期各单位均已反馈。",
    "dg_rest_ok": "其余 {count} 项进展正常(其中已完成 {done} 项)。",
    "dg_rest": "其余 {count} 项:🟡 需关注 {yellow} 项({refs}),🟢 正常 {green} 项(其中已完成 {done} 项)。",
    "dg_empty": "暂无事项。",
    "dg_paragraph_head": "<b>通报稿</b>(可复制):",
    "par": "截至{date},{title}{items}项任务中,已完成{done}项,占比{share}%;{clauses}。{tail}",
    "par_on_track": "序时推进{count}项",
    "par_yellow": "需加快推进{count}项",
    "par_red": "进展滞后{count}项:{items}",
    "par_red_none": "暂无进展滞后任务",
    "par_red_item": "{units}“{title}”",
    "par_red_more": "{items}等",
    "par_units_more": "{units}等",
    "par_unit_sep": "、",
    "par_sep": ";",
    "par_tail": "下一步,请各责任单位对照节点加快推进。",
    "par_all_done": "截至{date},{title}{items}项任务已全部完成。",
    "par_empty": "截至{date},{title}暂无任务。",
}

EN: dict[str, str] = {
    "status_empty": "No work plan has been imported yet. Import one with duban import.",
    "due_usage": "Usage: <code>/due DAYS</code>, e.g. <code>/due 14</code> (default 7)",
    "ledger_title_all": "Work plans",
    "export_caption": "The ledger, {count} items.",
    "digest_chart_caption": "Mean progress by unit (dashed: time elapsed)",
    "help_views": (
        "/status — the plan at a glance; /status UNIT or /status ITEM for details\n"
        "/overdue · /due [DAYS] · /stale · /blocked\n"
        "/export — the ledger (Excel) · /digest — this week's digest now"
    ),
    "welcome_unknown": (
        "Hello, I am the follow-up assistant.\nYou have not joined yet, so I cannot show or take "
        "any progress. Ask the office for an invite link and open it to join."
    ),
    "welcome_back": "Hello, {name}. You are: {roles}.\nSend /help for the commands.",
    "invite_unknown": "This invite link is not valid. Ask the office for a new one.",
    "invite_used": "This invite link was already used. Each link works once; ask for a new one.",
    "invite_expired": "This invite link has expired. Ask the office for a new one.",
    "joined_contact": (
        "Welcome, {name}! You joined as a contact of <b>{unit}</b>.\n"
        "I will remind you before deadlines, on the monthly reporting day and when overdue.\n"
        "Items of {unit} ({count}):"
    ),
    "joined_group": "This group is now bound to <b>{unit}</b>; nudges come here and any member may reply.\nItems of {unit} ({count}):",
    "joined_role": "Welcome, {name}! You joined as <b>{role}</b>. Send /help for the commands.",
    "joined_again": "You are already <b>{what}</b>.",
    "no_items_yet": "(no items yet; you will hear when some are assigned)",
    "role_admin": "admin",
    "role_coordinator": "coordinator",
    "role_leader": "leader",
    "role_contact": "contact of {unit}",
    "whoami": "User id: <code>{user_id}</code>\nChat id: <code>{chat_id}</code>\nRoles: {roles}",
    "whoami_none": "User id: <code>{user_id}</code>\nChat id: <code>{chat_id}</code>\nRoles: none",
    "help_contact": (
        "<b>Commands</b>\n/mine — your unit's items, progress and next deadline\n"
        "/report ITEM TEXT — report progress, e.g. <code>/report 4 60% done, expect end of Nov</code>\n"
        "Or reply to a nudge, or press its buttons.\n/whoami — who am I"
    ),
    "help_coordinator": (
        "<b>Coordinator commands</b>\n/invite UNIT — invite link for a unit's contact\n"
        "/invite coordinator|leader — invite a coordinator or leader\n"
        "/unassigned — items with no unit\n"
        "/assign ITEM UNIT[,UNIT…] [lead|support] — assign units\n"
        "/addunit NAME — add a unit\n"
        "/review — what the import was unsure of\n"
        "/merge A B — fold unit A into unit B (two spellings of one unit)\n"
        "/rename OLD NEW — rename a unit (the old name still works)\n"
        "/report ITEM TEXT — record progress on behalf of a unit\n"
        "/whoami — who am I"
    ),
    "help_leader": "<b>Leader commands</b>\n/whoami — who am I\nThe weekly digest arrives on Monday mornings.",
    "help_unknown": "Join first through the invite link the office sends you.",
    "refused": "Sorry, you may not use this command.",
    "unknown_command": "There is no command {command}.\nSend /help for the commands.",
    "invite_usage": "Usage: <code>/invite UNIT</code>, or <code>/invite coordinator</code> / <code>/invite leader</code>",
    "invite_link": "Invite link for {what} (works once, for {days} days):\n{link}\nTo bind the unit's group chat, add the bot to the group and open:\n{group_link}",
    "invite_link_role": "Invite link for {what} (works once, for {days} days):\n{link}",
    "unit_unknown": "No unit called “{name}”. Add it with /addunit {name}, or check the name.",
    "unit_ambiguous": "“{name}” matches several units; write the full name: {choices}",
    "unit_added": "Added unit <b>{unit}</b>.",
    "unit_exists": "Unit <b>{unit}</b> already exists.",
    "addunit_usage": "Usage: <code>/addunit NAME</code>",
    "assign_usage": "Usage: <code>/assign ITEM UNIT[,UNIT…] [lead|support]</code>\ne.g. <code>/assign 4 局高新处 lead</code>; with several plans write ITEM as PLAN-SEQ, e.g. 2-15",
    "assigned": "Item {item} “{title}” assigned to: {units} ({role}).",
    "role_lead": "lead",
    "role_support": "support",
    "unassigned_none": "Every item has a responsible unit.",
    "unassigned_head": "Items without a unit ({count}):",
    "rv_head": "<b>Import review</b> “{title}”, {count} items; please check:",
    "rv_head_plan": "<b>Import review</b> plan {plan} “{title}”, {count} items (write items as {plan}-SEQ); please check:",
    "rv_clean": "Import review of “{title}”: nothing to check.",
    "rv_no_unit": "· Items without any unit ({count}): {items}",
    "rv_fix": "    → <code>{command}</code>",
    "rv_fix_in_chat": "    → assign in chat: <code>{command}</code>",
    "rv_unit_word": "UNIT",
    "rv_name_word": "NAME",
    "rv_new_name_word": "NEW-NAME",
    "rv_look_alike_contained": "· “{name}” (items: {count}) is part of “{other}” (items: {other_count}); maybe one unit → <code>{command}</code>",
    "rv_look_alike_prefix": "· “{name}” (items: {count}) and “{other}” (items: {other_count}) differ only by a prefix; maybe one unit → <code>{command}</code>",
    "rv_odd": "· “{name}” (item {items}) does not look like a whole unit name → <code>{command}</code>",
    "rv_once": "· Units named only once ({count}); check the names: {units}",
    "rv_once_name": "{name} (item {item})",
    "rv_fix_once": "    → misspelt: <code>{rename}</code>; same as another unit: <code>{merge}</code>",
    "rv_and_more": "{items} … and {count} more",
    "rv_no_deadline": "· Items without a deadline phrase ({count}), {date} assumed: {items}",
    "rv_many_targets": "· Items with {min} or more numbers read as targets ({count}); check them: {items}",
    "rv_target_item": "item {item} ({count})",
    "rv_skipped": "· Parts read but not taken as items ({count}):",
    "rv_skipped_text": "    {text}",
    "rv_warning": "· Note: {text}",
    "rv_more": "    … and {count} more",
    "review_plan_unknown": "There is no plan {plan}. Usage: <code>/review</code> or <code>/review PLAN</code>",
    "merge_usage": (
        "Usage: <code>/merge A B</code> — fold unit A into unit B: A's items, reports, contacts, invites "
        "and nudge records move to B, and “A” means B from now on.\nTo rename only: <code>/rename OLD NEW</code>"
    ),
    "merged": (
        "Folded <b>{source}</b> into <b>{target}</b>: {items} items, {reports} reports, {contacts} contacts, "
        "{invites} invites and {nudges} nudge records moved to {target}. “{source}” now means {target}."
    ),
    "merge_same": "“{name}” and “{other}” are the same unit, <b>{unit}</b>: nothing to merge.",
    "merge_no_target": "No unit called “{name}” to fold into. To rename {source} instead: <code>/rename {source} {name}</code>.",
    "unit_not_found": "No unit called “{name}”. Merging and renaming need a unit's full name or a known short name.",
    "unit_not_found_like": "No unit called “{name}”. Similar names: {choices}",
    "rename_usage": "Usage: <code>/rename OLD NEW</code> — rename a unit; its items, reports and contacts stay, and the old name still works.",
    "renamed": "Renamed <b>{old}</b> to <b>{new}</b>; items, reports and contacts are unchanged, and “{old}” still finds it.",
    "rename_same": "Unit <b>{name}</b> already has that name.",
    "rename_taken": "“{name}” is already the name of unit <b>{other}</b>. If they are one unit, merge them: <code>/merge {source} {other}</code>.",
    "unit_name_too_long": "That unit name is too long (at most {max} characters).",
    "item_unknown": "There is no item {item}. {hint}",
    "item_ambiguous": "Several plans have an item {item}; write PLAN-SEQ, e.g. {example}.",
    "item_not_yours": "Item {item} is not one of your unit's items. Send /mine for yours.",
    "mine_none": "Your unit has no items yet.",
    "mine_head": "Items of <b>{unit}</b> ({count}):",
    "mine_line": "{light} {ref}. {title}\n    due {deadline}{milestone} · {progress}",
    "mine_never": "no report yet",
    "mine_last": "{status} {percent}({when})",
    "next_milestone": ", next step {date}",
    "report_usage": "Usage: <code>/report ITEM TEXT</code>\ne.g. <code>/report 4 60% done, expect end of November</code>",
    "recorded": "Recorded for item {item} “{title}”: {what}.\nIf this is wrong, edit your message or reply again.",
    "recorded_button": "Recorded for item {item} “{title}”: {what}.\nYou may reply to this message with a line of detail.",
    "recorded_blocked": "Recorded for item {item} “{title}”: blocked.\nPlease reply to this message with what is in the way.",
    "updated": "Updated item {item} “{title}”: {what}.",
    "evidence_kept": "Kept {name} as evidence for item {item}.",
    "file_needs_item": "Send files as a reply to a nudge or confirmation, or write the item number in the caption.",
    "which_item": "Which item is this about? Pick one:",
    "which_item_none": "I could not tell which item this is about. Use <code>/report ITEM TEXT</code>.",
    "draft_gone": "That progress was already recorded or has expired.",
    "button_done": "✅Done",
    "button_progress": "⏳In progress",
    "button_blocked": "⚠️Blocked",
    "button_ok": "Recorded",
    "not_member_button": "You are not a contact of a unit responsible for this item.",
    "status_done": "done",
    "status_in_progress": "in progress",
    "status_blocked": "blocked",
    "status_not_started": "not started",
    "status_unread": "received (no progress figure understood)",
    "nudge_head": "【Follow-up】<b>{unit}</b>\nPlease report progress on (reply to this message, or press a button):",
    "nudge_upcoming": "{ref}. {title}\n    due {about} (in {days} days)",
    "nudge_today": "{ref}. {title}\n    due today ({about})",
    "nudge_milestone": "{ref}. {title}\n    step due {about} (in {days} days)",
    "nudge_cycle": "{ref}. {title}\n    progress for this period (due {deadline})",
    "nudge_cycle_ongoing": "{ref}. {title}\n    progress for this period (ongoing work)",
    "nudge_overdue": "{ref}. {title}\n    ⚠️ overdue by {days} days (due {about})",
    "nudge_tail": "Example reply: <code>{example} 60% done, expect end of November</code>",
    "escalation_head": "【Escalation】These units need attention:",
    "escalation_overdue": "· {unit}: item {ref} “{title}” overdue, reminded {count} times",
    "escalation_ignored": "· {unit}: {count} reminders in a row without a reply",
    "unreachable": "⚠️ <b>{unit}</b> has no reachable contact left ({who} blocked the bot or the chat is gone). Invite again: <code>/invite {unit}</code>",
    "error": "Sorry, something went wrong. Please try again later.",
    # status views and the weekly digest
    "list_sep": ", ",
    "unit_sep": "; ",
    "units_more": "{units} and others ({count} units)",
    "units_none": "no unit assigned",
    "month_names": "January February March April May June July August September October November December",
    "day_month": "{month} {day}",
    "view_progress": "{status} {percent}%",
    "view_what_deadline": "due",
    "view_ongoing": "ongoing",
    "iv_ongoing": "no deadline ({phrase})",
    "view_what_milestone": "step",
    "view_due": "{what} {date} (in {days} days)",
    "view_due_today": "{what} {date} (today)",
    "view_overdue": "overdue by {days} days (due {date})",
    "more_items": "… and {count} more not listed",
    "st_head": "<b>Overview</b> (as of {date})",
    "st_plans": "Plans: {titles}",
    "st_lights": "{count} items: 🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "st_statuses": "not started {not_started} · in progress {in_progress} · done {done} · blocked {blocked}",
    "st_completion": "mean progress {mean}% · targets reached {reached}/{targets} ({share}%)",
    "st_completion_no_targets": "mean progress {mean}% · no quantified targets",
    "st_silent": "Units without a report this cycle (since {since}), {count}: {units}",
    "st_silent_none": "Every unit has reported this cycle (since {since}).",
    "st_red_head": "<b>🔴 Red items: {count}</b>",
    "st_red_none": "No red items.",
    "st_red_line": "🔴 {ref}. {title} · {units}",
    "st_empty": "No items yet. Import a work plan first.",
    "uv_head": "Items of <b>{unit}</b> ({count}): 🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "uv_none": "<b>{unit}</b> has no items.",
    "uv_item": "{light} {ref}. {title}{role}\n    {state}\n    {last}",
    "uv_support": " (support)",
    "uv_last": "last report {when} {who}: {text}",
    "uv_never": "no report yet",
    "iv_head": "{light} <b>{ref}. {title}</b>",
    "iv_deadline": "due {date}{phrase}",
    "iv_phrase": " ({text})",
    "iv_lead": "Lead: {units}",
    "iv_support": "Support: {units}",
    "iv_targets": "<b>Targets</b>",
    "iv_target": "· {target} → reported {value}{measure}{mark}",
    "iv_target_none": "· {target} → nothing reported yet",
    "iv_milestones": "<b>Milestones</b>",
    "iv_milestone": "· {date} {text}{mark}",
    "iv_passed": " (passed)",
    "iv_history": "<b>Reports</b>: {count} (newest first)",
    "iv_report": "· {when} {who}: {progress} {text}{expected}",
    "iv_expected": " (expects to finish {date})",
    "iv_no_reports": "no report yet",
    "fl_line": "{light} {ref}. {title} · {units}\n    {detail}",
    "fl_overdue_head": "<b>Overdue items</b>: {count}",
    "fl_overdue_none": "No item is overdue.",
    "fl_due_head": "<b>Items due within {days} days</b>: {count}",
    "fl_due_none": "Nothing is due within {days} days.",
    "fl_stale_head": "<b>Items without a report since {since}</b>: {count}",
    "fl_stale_none": "Every open item has a report since {since}.",
    "fl_stale_last": "last report {date} ({days} days ago)",
    "fl_stale_never": "never reported",
    "fl_blocked_head": "<b>Blocked items</b>: {count}",
    "fl_blocked_none": "No item is reported blocked.",
    "fl_blocked_detail": "{when} {who}: {text}",
    "dg_head": "<b>Weekly digest</b> {title} (as of {date})",
    "dg_headline": "{items} items · {done} done · mean progress {mean}%\n🟢 {green} · 🟡 {yellow} · 🔴 {red}",
    "dg_changes": "<b>This week</b>: newly red {newly_red} · newly done {newly_done} · new reports {reports}",
    "dg_newly_red": "🆕 newly red: {items}",
    "dg_newly_done": "✅ newly done: {items}",
    "dg_red_head": "<b>🔴 Red items: {count}</b>",
    "dg_red_none": "🔴 No red items.",
    "dg_red_line": "🔴 {ref}. {title} · {units} · {why}\n    {last}",
    "dg_last": "last report {when}: {text}",
    "dg_never": "no report yet",
    "why_blocked": "blocked",
    "why_overdue": "overdue by {days} days",
    "why_behind": "{points} points behind schedule",
    "dg_silent": "<b>Units without a report this cycle: {count}</b>: {units}",
    "dg_silent_none": "Every unit has reported this cycle.",
    "dg_rest_ok": "The other {count} items are on track (done: {done}).",
    "dg_rest": "The other {count} items: 🟡 {yellow} need attention ({refs}), 🟢 {green} on track (done: {done}).",
    "dg_empty": "No items yet.",
    "dg_paragraph_head": "<b>Draft paragraph</b> (to copy):",
    "par": "As of {date}, of the {items} tasks in {title}: done {done} ({share}%); {clauses}. {tail}",
    "par_on_track": "on schedule {count}",
    "par_yellow": "to speed up {count}",
    "par_red": "behind schedule {count}: {items}",
    "par_red_none": "none behind schedule",
    "par_red_item": "{units} “{title}”",
    "par_red_more": "{items} and others",
    "par_units_more": "{units} et al.",
    "par_unit_sep": " / ",
    "par_sep": "; ",
    "par_tail": "Each responsible unit is asked to press ahead against its milestones.",
    "par_all_done": "As of {date}, all {items} tasks in {title} are done.",
    "par_empty": "As of {date}, {title} has no tasks.",
}

CATALOGS: Mapping[str, Mapping[str, str]] = {"zh": ZH, "en": EN}


def esc(value: object) -> str:
    """HTML-escape anything a user or a plan wrote before it goes into a message."""
    return html.escape(str(value), quote=False)


class Texts:
    """The catalog of one language: `t("key", name=esc(x))`."""

    def __init__(self, lang: str = "zh") -> None:
        self.lang = lang if lang in CATALOGS else "zh"
        self._catalog = CATALOGS[self.lang]

    def __call__(self, key: str, /, **kwargs: object) -> str:
        template = self._catalog.get(key) or ZH[key]
        return template.format(**kwargs) if kwargs else template
