"""The demo narrator's words, in Chinese and English (`duban demo --lang zh|en`).

The bot's own words come from its message catalog (render/); these are the lines the demo
prints around them: the title, the acts' names, what a nudge pass did, the files left.
"""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

# The narrator's words. The bot's own words come from its message catalog (render/texts.py).
WORDS: dict[Lang, dict[str, str]] = {
    "zh": {
        "title": "duban 演示:常州市科技局党组 2023 年工作要点,一个月的督办",
        "setup": "Bot API 沙盒在 {root}(本机回环,不需要令牌和网络);机器人与 duban run 运行的完全相同,只有时钟是回放的。",
        "who": "{name}({role})",
        "coordinator": "督查室",
        "leader": "局领导",
        "act_import": "导入",
        "act_invite": "邀请",
        "act_nudge": "催办",
        "act_reply": "反馈",
        "act_status": "查询",
        "act_digest": "周报",
        "act_ledger": "台账",
        "imported": "已导入计划 {plan_id}《{title}》({year} 年):{items} 项,{units} 个责任单位,截止日期 {dates}",
        "opens": "打开邀请链接",
        "pass": "催办轮次 {when}:{summary}",
        "pass_summary": "{units} 个单位收到催办,共 {messages} 条消息",
        "pass_none": "没有到期的催办",
        "no_pass": "不发送:{reason}",
        "digest_sent": "周报已发给 {count} 位领导和督查室成员",
        "digest_pass": "周一 {hour}:00,周报发给领导和督查室。",
        "same": "(同上)",
        "files": "演示文件夹 {folder}:",
        "file_db": "数据库(SQLite),例如:duban --database {path} items",
        "file_ledger": "督查台账",
        "file_chart": "周报图表",
        "file_transcript": "对话记录",
        "next": "下一步:",
        "next_chat": "自己来试:duban demo --chat(以联络员、督查室或领导的身份打字)",
        "next_real": "正式运行:在 @BotFather 创建机器人,然后\n    DUBAN_BOT_TOKEN=<令牌> DUBAN_ADMIN_IDS=<您的 Telegram 用户 id> duban run\n  导入自己的计划:duban import 工作要点.docx",
        "took": "用时 {seconds:.1f} 秒。",
        "weekdays": "周一 周二 周三 周四 周五 周六 周日",
    },
    "en": {
        "title": "duban demo: a month of following up the Changzhou S&T bureau's 2023 work plan",
        "setup": "Bot API sandbox at {root} (loopback: no token, no network); the bot is the one duban run runs, only the clock is replayed.",
        "who": "{name} ({role})",
        "coordinator": "coordinator",
        "leader": "leader",
        "act_import": "Import",
        "act_invite": "Invites",
        "act_nudge": "Nudges",
        "act_reply": "Replies",
        "act_status": "Status",
        "act_digest": "Digest",
        "act_ledger": "Ledger",
        "imported": "Imported plan {plan_id} “{title}” ({year}): {items} items, {units} responsible units, deadlines {dates}",
        "opens": "opens the invite link",
        "pass": "nudge pass {when}: {summary}",
        "pass_summary": "{units} units nudged, {messages} messages",
        "pass_none": "nothing due",
        "no_pass": "nothing sent: {reason}",
        "digest_sent": "the digest went to {count} leaders and coordinators",
        "digest_pass": "Monday {hour}:00: the weekly digest goes to the leaders and coordinators.",
        "same": "(the same as above)",
        "files": "The demo folder {folder}:",
        "file_db": "the database (SQLite), e.g. duban --database {path} items",
        "file_ledger": "the ledger",
        "file_chart": "the digest chart",
        "file_transcript": "the conversation",
        "next": "What next:",
        "next_chat": "try it yourself: duban demo --chat (type as a contact, the coordinator or a leader)",
        "next_real": "run it for real: create a bot with @BotFather, then\n    DUBAN_BOT_TOKEN=<token> DUBAN_ADMIN_IDS=<your Telegram user id> duban run\n  import your own plan: duban import plan.docx",
        "took": "Took {seconds:.1f} s.",
        "weekdays": "Mon Tue Wed Thu Fri Sat Sun",
    },
}


def words(lang: Lang, key: str, **kwargs: object) -> str:
    """The narrator's text `key` in `lang`."""
    text = WORDS[lang][key]
    return text.format(**kwargs) if kwargs else text
