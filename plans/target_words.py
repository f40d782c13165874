"""How a target is written: the words and patterns find_targets (targets.py) reads an item with.

- Traditional → Simplified, one character for one (`FOLD`), and the pinyin glosses mirror sites
  put after characters (`PINYIN`, "萬(wàn)").
- A number, Arabic or Chinese, perhaps a range, with its bound words (超/不少于/达/以上,
  高于/余, 以内/低于, 约/左右) and its measure word (`CANDIDATE`); a bare number for a target
  column (`BARE`). Measures of money or size (`MONEY_OR_SIZE`) may describe a project rather
  than set a target.
- The target verbs that make a number a commitment (新增, 培育, 建成 …): right before it
  (`VERB_END`), opening its clause (`VERB_IN`), or opening a new task (`TASK_START`); and the
  bound words that make a breakdown's part a target too (`COMMITMENT`).
"""

from __future__ import annotations

import re

from plans.measures import ALL_MEASURES
from plans.numerals import CN_DIGITS

# Money and sizes: "投资5000万元的项目", "80万吨乙烯改扩建项目" describe a project.
MONEY_OR_SIZE = re.compile(
    r"^(?:[万亿]?(?:美?元|吨|千瓦时?|兆瓦时?|平方米|立方米|平方公里|亩)|公顷)$"
)

# ------------------------------------------------------------------------ Traditional → Simplified

# One character for one (str.maketrans checks), so positions in the folded text are positions in
# the original. The characters of the words these rules look at, and the common ones around them.
_TRAD = (
    "萬億戶畝個項場條臺颱噸裡間處輛張兩牀棟隻頭頃種門筆屆達過於內約實設開發舉辦養訓導資務組織認簽創爭轉帶"
    "擔請權選佈製訂薦淨計擴遷幫決闢啟啓築蓋穩減準確總長較點級標額預動業產電車區縣鄉鎮農醫衛療環綠為與對進"
    "數週線園樓義補獎優質規劃體檢測試驗協會議際圍換續獲價錢貸營運輸書圖廣隊職員層備紀錄報聯證記參維護廢險"
    "壓飲雙變應給東類濟態觀讓還齊齡僅傳龍歷範藥費購賣買貨財責積稱篩糧紅細終結統綜緊練繼習興舊華蓮藝術衝複"
    "見視親評詳調論識題顧風飛館駐鬥魚鮮雞麥黃滿況餘廠裝倉機橋鐵鋪攤廳礎勞現時們學經歲網強屬詢諮贏邊遠鄰陽"
    "陰雲靜顯驅黨關閉問閱獨狀獻畫當盡監盤礦禮稅窮競簡籌納編績聲聽臨艱莊號蟲覽觸託訊訪許診語說課談講譜讀豐"
    "豬貧貫貴貼賀賓賦賽趨躍軍軟載輔輕輪遊遲違適遺郵釋針鋼鍵鏈隨隱難靈響頂順須領頻願飯飼馬騎髮鳥鹽麵絕絡絲"
    "綱縱繪纜罰羅聞肅腦膚蘭衆該謂賠賺趕轄邁遞鄭銀銷錦鏡鐘陣陸階雖雜離頁頓顆飽駕驚麗勵團圓執堅壩壘墾壯夠奪"
    "嚴孫寬寶將專尋岡島峽廟彈徵徹恆惡愛慣憑懷戰戲擊擬攜據掃揚損搖摟擺擁擇撥撫敵斷曉檔槍樁樣橫櫃歡殘氣沒溝"
    "滅漢潔濕災煙熱爛牽猶瑪畢盜盧眾礙稟稈窩籤緩繳罈羈聳脅腳艙萊薩藍虧蝕襯詐誌誕誘諸謀謹譽豎負貿賬賤賴贈趙"
    "軌輩辭醜鉤鋁鑒閘閥隴陝陳雛靚韓頗頰頸顛飢馭駛騰驢魯鯉鳳鴻鵬麼齋龐"
)
_SIMP = (
    "万亿户亩个项场条台台吨里间处辆张两床栋只头顷种门笔届达过于内约实设开发举办养训导资务组织认签创争转带"
    "担请权选布制订荐净计扩迁帮决辟启启筑盖稳减准确总长较点级标额预动业产电车区县乡镇农医卫疗环绿为与对进"
    "数周线园楼义补奖优质规划体检测试验协会议际围换续获价钱贷营运输书图广队职员层备纪录报联证记参维护废险"
    "压饮双变应给东类济态观让还齐龄仅传龙历范药费购卖买货财责积称筛粮红细终结统综紧练继习兴旧华莲艺术冲复"
    "见视亲评详调论识题顾风飞馆驻斗鱼鲜鸡麦黄满况余厂装仓机桥铁铺摊厅础劳现时们学经岁网强属询咨赢边远邻阳"
    "阴云静显驱党关闭问阅独状献画当尽监盘矿礼税穷竞简筹纳编绩声听临艰庄号虫览触托讯访许诊语说课谈讲谱读丰"
    "猪贫贯贵贴贺宾赋赛趋跃军软载辅轻轮游迟违适遗邮释针钢键链随隐难灵响顶顺须领频愿饭饲马骑发鸟盐面绝络丝"
    "纲纵绘缆罚罗闻肃脑肤兰众该谓赔赚赶辖迈递郑银销锦镜钟阵陆阶虽杂离页顿颗饱驾惊丽励团圆执坚坝垒垦壮够夺"
    "严孙宽宝将专寻冈岛峡庙弹征彻恒恶爱惯凭怀战戏击拟携据扫扬损摇搂摆拥择拨抚敌断晓档枪桩样横柜欢残气没沟"
    "灭汉洁湿灾烟热烂牵犹玛毕盗卢众碍禀秆窝签缓缴坛羁耸胁脚舱莱萨蓝亏蚀衬诈志诞诱诸谋谨誉竖负贸账贱赖赠赵"
    "轨辈辞丑钩铝鉴闸阀陇陕陈雏靓韩颇颊颈颠饥驭驶腾驴鲁鲤凤鸿鹏么斋庞"
)
FOLD = str.maketrans(_TRAD, _SIMP)

# "會(huì)": a pinyin gloss after a character, with a tone mark or a tone number.
PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])\("
    r"(?:[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ][a-zü]*|[a-zü]{1,6}[1-5])"
    r"\)"
)

# ------------------------------------------------------------------------------ the candidate

_AR = r"\d{1,3}(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?"
_CN = f"[{CN_DIGITS}]+"
# A number starts where no digit stands before it: scanning from inside a long run of digits
# would make matching quadratic.
_NUM = f"(?:(?<![\\d.])(?:{_AR})|(?<![{CN_DIGITS}]){_CN})"
_MEASURE = "|".join(re.escape(m) for m in ALL_MEASURES)
_RANGE_SEP = r"\s*(?:-|~|—|–|至|到)\s*"

_AT_LEAST = "超过 超 突破 不少于 不低于 至少 达到 达 力争 争取 新增 净增 累计 ≥".split()
MORE = "高于 多于 大于 余 >".split()  # 余: "300余家" (set from the 余/多 after the number)
AT_MOST = "不超过 不高于 不多于 控制在 低于 少于 小于 ≤ <".split()
ABOUT = "大约 约 近".split()
_PRE = "|".join(re.escape(w) for w in sorted(_AT_LEAST + MORE + AT_MOST + ABOUT, key=len)[::-1])
_POST = r"以上|左右|以内|之内|以下|上下"

CANDIDATE = re.compile(
    rf"(?:(?P<pre>{_PRE})\s*)?"
    rf"(?:(?P<lo>{_NUM}){_RANGE_SEP}(?P<hi>{_NUM})|(?P<num>{_NUM}))"
    r"\s*(?:(?P<mag>[万亿])?(?P<more>余|多))?"  # 300余家, 2万余人
    rf"\s*(?P<measure>{_MEASURE})"
    r"(?P<paren>\([^()]{1,8}\))?"
    rf"(?P<post>{_POST})?"
)
# A number with no measure word after it, for target columns.
BARE = re.compile(
    rf"(?:(?P<pre>{_PRE}|增长|下降|提高|降低)\s*)?"
    rf"(?<![\d.])(?:(?P<lo>{_AR}){_RANGE_SEP}(?P<hi>{_AR})|(?P<num>{_AR}))"
    rf"(?P<post>\s*(?:{_POST}))?"
)
NOT_AFTER_BARE = re.compile(rf"[\d.%‰a-zA-Z]|\s*(?:[年月日号时季周天]|{_MEASURE})")

# Verbs whose object is counted by the number in their clause.
_TARGET_VERBS = (
    "达到 达 超过 超 突破 新增 净增 累计 引进 引育 引入 培育 培养 集聚 举办 开展 实施 立项 支持 组织 "
    "招引 认定 新认定 完成 开发 开设 建设 共建 新建 建成 改建 扩建 迁建 续建 争取 创建 争创 聘请 "
    "转化 带动 承担 申请 申报 授权 设立 建立 打造 孵化 吸引 培训 选派 发布 制定 出台 推荐 遴选 落地 "
    "签约 引导 资助 服务 解决 帮助 惠及 覆盖 改造 新修 修建 新辟 投放 安装 硬化 推广 安置 救助 "
    "筛查 提供 开通 新开 开工 竣工 整治 治理 修复 造林 种植 绿化 发放 兑现 投入 投资 实现 "
    "增长 下降 提高 降低 提升 增加 减少 不少于 不低于 至少 力争 约 近 控制在 不超过 保持在 稳定在"
).split()
_VERBS_ALT = "|".join(sorted(_TARGET_VERBS, key=len, reverse=True))
VERB_END = re.compile(f"(?:{_VERBS_ALT})$")
VERB_ANY = re.compile(_VERBS_ALT)
# The words right before a number, not across punctuation: "新建学校十二所", not "培训”六个方面".
WINDOW = re.compile(r"[^,。;:、“”\"《》()!?\s]*$")
# A clause may also open with the people or places the work is for: "为4000名小学生…",
# "在50所学校食堂开展…", "对100家企业开展诊断" (but not 成为/作为/认为/以…为).
VERB_IN = re.compile(f"(?:{_VERBS_ALT})|(?<![成作认以列视称分因行较更广最])为|在|对")
# A new task after ";" (a verb, perhaps numbered) ends a breakdown that started before it.
TASK_START = re.compile(rf"\s*(?:\d+[.、]|[①-⑳]|\(\d+\))?\s*(?:{_VERBS_ALT})")
COMMITMENT = re.compile(
    r"超过|超|突破|不少于|不低于|至少|达到|达|新增|净增|力争|争取|控制在|不超过"
)
