"""Write a synthetic gongkai site of N disclosure items, for benchmarks.

    python benchmarks/synth.py N OUTDIR [--seed 1]

OUTDIR receives `site_config.yml` (fourteen categories covering the eleven types), a
few pages, small attachment files and N items under `content/<category>/<year>/`, about
65% articles (Markdown, ~2.5 KB of Chinese body) and the rest duty, fee, procedure,
budget, appointment, work_report, procurement and letter items (YAML), consultations
(Markdown with a period and a feedback report) and one annual report (2021 format) per
year 2020-2024, the first of them among the first items (every type at any N >= 14). Every item already carries an index
number `11330100002482066D/<year>-<seq>` (sequence rising with publication date within
each year) and `content/.registry` lists them: `<index_no>\\t<path>`, sorted.

The items are meant to pass the content contract and its domain checks: real dates in
2020-2025 on working days, written <= published within 20 working days, budget sums
that add up (Decimal, 2 places), appointment notices of >= 5 working days, procedure
step days <= promised days <= legal days, attachments that exist, no personal data,
awards within budget, replies within 5 working days, consultation periods of >= 30
days with counts that add up.
The output depends only on N and the seed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path
from random import Random

import chinese_calendar
import yaml

ORG = "11330100002482066D"
ORG_NAME = "青山县人民政府办公室"
START, END = dt.date(2020, 1, 1), dt.date(2025, 12, 31)
CENT = Decimal("0.01")

# key, title, type, weight (share of items)
CATEGORIES = [
    ("notices", "通知公告", "article", 25), ("news", "工作动态", "article", 25),
    ("policies", "政策文件", "article", 12), ("rules", "规章制度", "article", 8),
    ("duties", "机构职能", "duty", 5), ("fees", "行政事业性收费", "fee", 5),
    ("guides", "办事指南", "procedure", 5), ("budgets", "预算决算", "budget", 5),
    ("appointments", "干部任前公示", "appointment", 5),
    ("reports", "工作计划与总结", "work_report", 5),
    ("consultations", "征求意见", "consultation", 3), ("procurement", "政府采购", "procurement", 3),
    ("letters", "留言答复", "letter", 4),
    ("annual-reports", "政府信息公开年报", "annual_report", 0),  # one per year: see Synth.plan
]
ANNUAL_YEARS = range(2020, 2025)  # reports published in January of the next year
MARKDOWN = ("article", "consultation", "annual_report")  # types written as front matter + body
LETTER_LEAD = 8  # working days a letter's publication needs after START: receipt, reply (≤ 5), publication (≤ 3)

# --- vocabulary --------------------------------------------------------------------
PLACES = ("青山街道 临溪镇 桃源乡 白云镇 石门镇 清水乡 龙泉街道 花溪镇 凤鸣街道 松岭乡 "
          "长乐镇 双溪乡 柳桥镇 南湖街道 金沙镇 梅林乡 东关街道 望江镇 竹园乡 玉泉镇").split()
DEPTS = ("县发展和改革局 县教育局 县科学技术局 县经济和信息化局 县公安局 县民政局 县司法局 "
         "县财政局 县人力资源和社会保障局 县自然资源和规划局 县生态环境分局 县住房和城乡建设局 "
         "县交通运输局 县水利局 县农业农村局 县商务局 县文化和广电旅游体育局 县卫生健康局 "
         "县退役军人事务局 县应急管理局 县审计局 县市场监督管理局 县统计局 县医疗保障局 "
         "县综合行政执法局 县数据资源管理局 县信访局 县机关事务管理中心").split()
TOPICS = ("政务公开 营商环境 安全生产 乡村振兴 数字化改革 共同富裕 生态环境保护 垃圾分类 "
          "文明城市创建 防汛防台 基层治理 城乡融合发展 民生实事 最多跑一次改革 河长制 "
          "森林防火 食品安全 稳岗就业 养老服务 义务教育 医疗保障 农村人居环境整治 "
          "消防安全 扫黑除恶 法治政府建设 招商引资 科技创新 文化惠民 全民健身 "
          "粮食安全 耕地保护 建设用地审批 小微企业帮扶 减税降费 信用体系建设 "
          "双随机一公开 矛盾纠纷化解 校园安全 道路交通安全 老旧小区改造 公共资源交易").split()
NATIONAL_TOPICS = ("综合政务 国民经济管理、国有资产监管 财政、金融、审计 国土资源、能源 "
                   "农业、林业、水利 工业、交通 商贸、海关、旅游 市场监管、安全生产监管 "
                   "城乡建设、环境保护 科技、教育 文化、广电、新闻出版 卫生、体育 "
                   "劳动、人事、监察 公安、安全、司法 民政、扶贫、救灾").split()
VERBS = ("深入推进 扎实开展 全面落实 持续深化 统筹推进 加快推进 切实加强 不断完善 "
         "认真组织 积极探索 稳步实施 大力推动 着力优化 严格落实 系统谋划").split()
OBJECTS = ("工作机制 责任体系 监督检查 宣传培训 风险排查 问题整改 数据共享 考核评价 "
           "队伍建设 服务保障 示范创建 制度建设 应急演练 信息报送 督查督办 政策解读").split()
RESULTS = ("取得阶段性成效", "群众满意度明显提升", "各项指标均完成年度目标",
           "形成了一批可复制可推广的经验", "办理时限平均压缩一半以上", "有效防范化解了重大风险",
           "全年未发生较大及以上事故", "相关做法得到上级部门肯定", "基础工作得到进一步夯实",
           "服务效能持续提升")
CONNECT = ("同时，", "此外，", "下一步，", "与此同时，", "在此基础上，", "截至目前，", "")
LEADS = ("为贯彻落实县委、县政府决策部署，", "根据上级有关文件精神，", "按照年度工作计划安排，",
         "为进一步提升服务质量，", "结合本地实际，", "为切实保障人民群众生命财产安全，")
HEADINGS = ("工作目标", "主要任务", "工作措施", "组织保障", "进度安排", "工作要求",
            "基本情况", "存在问题", "下一步工作打算", "适用范围", "职责分工", "监督考核")
NUMS = "一二三四五六七八九十"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
PREFIX = {"notices": "青政办函", "news": "青政办", "policies": "青政发", "rules": "青政办发"}


def workdays() -> list[dt.date]:
    days, d = [], START
    while d <= END:
        if chinese_calendar.is_workday(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return days


class Synth:
    def __init__(self, n: int, out: Path, seed: int):
        self.n, self.out, self.r = n, out, Random(seed)
        self.days = workdays()
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.doc_seq: dict[tuple[str, int], int] = {}
        self.annual_years = list(ANNUAL_YEARS)

    # --- text -----------------------------------------------------------------
    def pick(self, seq, k=None):
        return self.r.choice(seq) if k is None else self.r.sample(seq, k)

    def sentence(self) -> str:
        p, r = self.pick, self.r
        forms = (
            lambda: f"{p(LEADS)}{p(DEPTS)}{p(VERBS)}{p(TOPICS)}{p(OBJECTS)}，{p(RESULTS)}。",
            lambda: f"{p(CONNECT)}{p(PLACES)}围绕{p(TOPICS)}，{p(VERBS)}{p(OBJECTS)}，"
                    f"累计开展专项检查{r.randint(3, 260)}次，{p(RESULTS)}。",
            lambda: f"{p(CONNECT)}各乡镇（街道）、县级各部门要{p(VERBS)}{p(TOPICS)}，"
                    f"{p(VERBS)}{p(OBJECTS)}，确保各项任务落到实处。",
            lambda: f"{p(DEPTS)}会同{p(DEPTS)}在{p(PLACES)}召开{p(TOPICS)}工作推进会，"
                    f"研究部署{p(OBJECTS)}和{p(OBJECTS)}等事项。",
            lambda: f"全县共受理相关事项{r.randint(12, 9800)}件，办结率{r.randint(950, 1000) / 10}%，"
                    f"其中{p(PLACES)}、{p(PLACES)}{p(RESULTS)}。",
        )
        return p(forms)()

    def paragraph(self, k: int) -> str:
        return "".join(self.sentence() for _ in range(k))

    def body(self) -> str:
        r, parts = self.r, []
        parts.append(self.paragraph(r.randint(2, 4)))
        for h, heading in enumerate(self.pick(HEADINGS, r.randint(3, 5))):
            parts.append(f"## {NUMS[h]}、{heading}")
            parts.append(self.paragraph(r.randint(2, 4)))
            if r.random() < 0.5:
                parts.append("\n".join(f"{i + 1}. {self.pick(VERBS)}{self.pick(TOPICS)}"
                                       f"{self.pick(OBJECTS)}。" for i in range(r.randint(3, 5))))
        if r.random() < 0.3:
            rows = [f"| {self.pick(PLACES)} | {self.pick(TOPICS)} | {r.randint(1, 90)} | "
                    f"{self.pick(('已完成', '推进中', '已验收'))} |" for _ in range(r.randint(3, 6))]
            parts.append("| 地区 | 项目 | 数量 | 进度 |\n|---|---|---:|---|\n" + "\n".join(rows))
        parts.append(f"联系电话：0571-{r.randint(80000000, 89999999)}。")
        return "\n\n".join(parts) + "\n"

    def person_name(self) -> str:
        return self.pick(SURNAMES) + self.pick(("某", "某某"))

    def phone(self) -> str:
        return f"0571-{self.r.randint(80000000, 89999999)}"

    # --- dates ----------------------------------------------------------------
    def day_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A random working day in [lo, hi] (both inside 2020-2025)."""
        i = self.day_index_at(lo)
        j = self.day_index_at(hi, after=False)
        return self.days[self.r.randint(i, max(i, j))]

    def day_index_at(self, d: dt.date, after=True) -> int:
        step = dt.timedelta(days=1 if after else -1)
        while d not in self.day_index:
            d += step
        return self.day_index[d]

    def published_for(self, typ: str) -> tuple[dt.date, dict]:
        r = self.r
        if typ == "annual_report":
            year = self.annual_years.pop(0)
            return self.day_between(dt.date(year + 1, 1, 4), dt.date(year + 1, 1, 25)), {"year": year}
        if typ == "budget":
            year = r.randint(2020, 2025)
            if r.random() < 0.5:
                return self.day_between(dt.date(year, 1, 20), dt.date(year, 3, 31)), \
                    {"fiscal_year": year, "stage": "budget"}
            return self.day_between(dt.date(year, 7, 1), dt.date(year, 9, 30)), \
                {"fiscal_year": year - 1, "stage": "final"}
        if typ == "letter":  # room before it for the message and the reply (see `letter`)
            return self.days[r.randrange(LETTER_LEAD, len(self.days))], {}
        return self.days[r.randrange(len(self.days))], {}

    # --- one item per type ----------------------------------------------------
    def common(self, it: dict) -> dict:
        d = {"index_no": it["index_no"], "title": it["title"], "published": it["published"]}
        if it["type"] in ("duty", "fee", "budget", "procedure"):
            d["publisher"] = it["dept"]
        d["topic"] = self.pick(NATIONAL_TOPICS)
        d["keywords"] = self.pick(TOPICS, self.r.randint(2, 4))
        d["summary"] = self.sentence()
        return d

    def article(self, it: dict) -> tuple[dict, str]:
        r, pub, key = self.r, it["published"], it["category"]
        d = {"index_no": it["index_no"], "title": it["title"]}
        i = self.day_index[pub]
        d["written"] = self.days[max(0, i - r.randint(0, 15))]
        d["published"] = pub
        if r.random() < 0.4:
            d["publisher"] = self.pick(DEPTS)
        d.update({k: v for k, v in self.common(it).items() if k not in d})
        if key in ("policies", "rules") or r.random() < 0.2:
            seq = self.doc_seq[(key, pub.year)] = self.doc_seq.get((key, pub.year), 0) + 1
            d["doc_no"] = f"{PREFIX[key]}〔{pub.year}〕{seq}号"
            d["validity"] = self.pick(("有效",) * 8 + ("废止", "失效"))
        if r.random() < 0.15:
            d["attachments"] = [{"file": f, "title": t} for f, t in self.pick(ATTACHMENTS, r.randint(1, 2))]
        if r.random() < 0.05 and pub < dt.date(2025, 12, 1):
            d["revisions"] = [{"date": self.day_between(pub + dt.timedelta(days=1), END),
                               "note": "更正附件中的联系电话"}]
        return d, self.body()

    def duty(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        d["organization"] = {"name": it["dept"], "leader": self.person_name(),
                             "address": f"青山县人民路{r.randint(1, 300)}号", "phone": self.phone(),
                             "hours": "工作日 8:30-12:00, 13:30-17:00"}
        d["duties"] = [f"负责全县{t}工作，{self.pick(VERBS)}{self.pick(OBJECTS)}。"
                       for t in self.pick(TOPICS, r.randint(4, 8))]
        d["departments"] = [{"name": n, "head": self.person_name(), "phone": self.phone(),
                             "duties": [f"承担{self.pick(TOPICS)}{self.pick(OBJECTS)}工作。"]}
                            for n in self.pick(("办公室", "综合科", "政策法规科", "计划财务科",
                                                "行政审批科", "监督检查科", "人事科", "信息中心"),
                                               r.randint(3, 6))]
        return d

    def fee(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        d["department"] = it["dept"]
        d["items"] = []
        for name, unit, amount in self.pick(FEES, r.randint(1, 4)):
            d["items"].append({"name": name, "standard": f"每{unit.split('/')[1]}{amount}元",
                               "amount": amount, "unit": unit,
                               "basis": f"发改价格规〔{r.randint(2016, 2019)}〕{r.randint(100, 2999)}号",
                               "management": "缴入国库", "level": self.pick(("中央", "省级")),
                               "note": self.pick(("小微企业免收", "按规定减免", "无"))})
        return d

    def procedure(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        legal = r.choice((5, 10, 15, 20, 30))
        promised = r.randint(0, legal)
        accept = min(1, promised)  # steps: 受理 1 day, the rest split; sum = promised <= legal
        review = r.randint(0, promised - accept)
        step_days = [accept, review, promised - accept - review]
        materials = [{"name": "申请表", "copies": 1, "original": True}]
        if r.random() < 0.3:
            materials[0]["form"] = "attachments/forms/apply.docx"
        materials += [{"name": m, "copies": r.randint(1, 2), "original": r.random() < 0.5}
                      for m in self.pick(("营业执照复印件", "法定代表人身份证明", "场地使用证明",
                                          "技术人员资格证明", "安全管理制度", "项目可行性报告"),
                                         r.randint(1, 4))]
        d["service"] = {
            "code": f"{ORG}-XK-{it['seq_no']:04d}", "kind": self.pick(("行政许可", "公共服务", "行政确认")),
            "legal_basis": [f"《{self.pick(LAWS)}》第{r.randint(2, 80)}条"],
            "conditions": [f"申请人具备{self.pick(TOPICS)}相关条件。", "申请材料齐全、符合法定形式。"],
            "materials": materials,
            "steps": [{"name": n, "actor": a, "days": k} for (n, a), k in
                      zip((("受理", "窗口"), ("审查", "业务科室"), ("决定", "分管领导")), step_days)],
            "legal_days": legal, "promised_days": promised, "fee": "不收费",
            "location": f"县政务服务中心{r.randint(1, 3)}楼{r.randint(1, 40)}号窗口",
            "hours": "工作日 9:00-17:00", "phone": self.phone(), "complaint_phone": "12345",
            "visits": r.randint(0, 1), "online_url": f"https://www.qingshan.gov.cn/zwfw/{it['seq_no']}",
            "faq": [{"q": f"办理{it['service']}需要多长时间？", "a": f"承诺{promised}个工作日内办结。"}],
        }
        return d

    def budget(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        d.update(it["extra"])
        d["unit"] = "万元"
        money = lambda lo, hi: Decimal(r.randint(lo * 100, hi * 100)) / 100  # noqa: E731
        rows = []
        for code, item, kuan in FUNCTIONS:
            kcode, kitem, xiang = kuan
            leaves = [{"code": c, "item": i, "amount": money(5, 600)} for c, i in xiang]
            total = sum(x["amount"] for x in leaves)
            rows.append({"code": code, "item": item, "amount": total,
                         "children": [{"code": kcode, "item": kitem, "amount": total, "children": leaves}]})
        total = sum(x["amount"] for x in rows)
        grant = (total * Decimal(r.randint(80, 98)) / 100).quantize(CENT)
        other = (total - grant) * Decimal(r.randint(0, 100)) / 100
        other = other.quantize(CENT)
        income = [{"item": "财政拨款收入", "amount": grant}, {"item": "事业收入", "amount": other},
                  {"item": "其他收入", "amount": total - grant - other}]
        basic = (total * Decimal(r.randint(55, 80)) / 100).quantize(CENT)
        staff = (basic * Decimal(r.randint(70, 90)) / 100).quantize(CENT)
        d["tables"] = [
            {"name": "收支总表", "income": income,
             "expenditure": [{"item": x["item"], "amount": x["amount"]} for x in rows]},
            {"name": "一般公共预算支出表", "rows": rows},
            {"name": "支出表", "rows": [
                {"item": "基本支出", "amount": basic, "children": [
                    {"item": "人员经费", "amount": staff}, {"item": "公用经费", "amount": basic - staff}]},
                {"item": "项目支出", "amount": total - basic}]},
        ]
        parts = {k: money(0, 30) for k in ("overseas", "vehicle_purchase", "vehicle_operation", "reception")}
        d["three_public"] = {**parts, "total": sum(parts.values())}
        d["notes"] = self.paragraph(2)
        return d

    def appointment(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        d["notice"] = {"start": it["published"], "working_days": r.choice((5, 5, 5, 7))}
        d["persons"] = []
        for _ in range(r.randint(1, 4)):
            birth = r.randint(1968, 1990)
            d["persons"].append({
                "name": self.person_name(), "gender": self.pick("男女"),
                "ethnicity": self.pick(("汉族",) * 9 + ("畲族",)), "birth": f"{birth}-{r.randint(1, 12):02d}",
                "party": self.pick(("中共党员",) * 4 + ("无党派人士",)),
                "education": self.pick(("大学，管理学学士", "研究生，法学硕士", "大学，工学学士")),
                "work_start": f"{birth + r.randint(21, 25)}-{r.choice((7, 8, 9)):02d}",
                "current_post": f"{self.pick(DEPTS)}副局长", "proposed_post": f"{self.pick(DEPTS)}局长",
                "resume": f"历任{self.pick(PLACES)}党委委员、{self.pick(DEPTS)}科长等职。"})
        d["feedback"] = {"phone": "12380", "address": "青山县人民路1号县委组织部干部监督科",
                         "postcode": "311000", "email": "gbjd@qingshan.gov.cn"}
        return d

    def work_report(self, it: dict) -> dict:
        r, d = self.r, self.common(it)
        d["period"] = it["period"]
        d["plans"] = []
        for t in self.pick(TOPICS, r.randint(3, 7)):
            status = self.pick(("done", "done", "done", "partial", "not_done", "carried_over"))
            d["plans"].append({"task": f"{self.pick(VERBS)}{t}工作", "target": f"{self.pick(OBJECTS)}全覆盖",
                               "owner": self.pick(("秘书科", "综合科", "督查科", "信息科")),
                               "result": {"done": "按期完成", "partial": "完成约七成",
                                          "not_done": "受客观因素影响未完成",
                                          "carried_over": "转入下月继续推进"}[status],
                               "status": status})
        return d

    def consultation(self, it: dict) -> tuple[dict, str]:
        """A draft open for comment (30-45 days from publication), its feedback report
        after the end; the counts add up."""
        r, d = self.r, self.common(it)
        start = it["published"]
        end = start + dt.timedelta(days=r.randint(29, 44))
        d["publisher"] = it["dept"]
        d["period"] = {"start": start, "end": end}
        d["channels"] = {"email": "yj@qingshan.gov.cn", "address": f"青山县人民路1号{it['dept']}",
                         "postcode": "311000", "phone": self.phone()}
        if r.random() < 0.7:
            adopted, partly, rejected = r.randint(0, 30), r.randint(0, 10), r.randint(0, 20)
            d["feedback_report"] = {"date": end + dt.timedelta(days=r.randint(3, 20)),
                                    "received": adopted + partly + rejected, "adopted": adopted,
                                    "partly_adopted": partly, "not_adopted": rejected,
                                    "summary": self.paragraph(2)}
        return d, self.body()

    def procurement(self, it: dict) -> dict:
        """A procurement notice; results and contracts carry an award within budget,
        decided before publication; a single source gives its reason."""
        r, d = self.r, self.common(it)
        d["publisher"] = it["dept"]
        method = self.pick(("open_tender",) * 3 + ("competitive_consultation", "competitive_negotiation",
                                                    "inquiry", "single_source", "framework"))
        budget = Decimal(r.randint(500, 500000)) / 100
        stage = self.pick(("result",) * 6 + ("contract", "notice", "intent", "change"))
        project = {"code": f"QSCG-{it['published'].year}-{it['seq_no']:05d}", "name": it["project"],
                   "method": method, "category": self.pick(("goods", "works", "services")),
                   "budget": budget, "stage": stage}
        if method == "single_source":
            project["single_source_reason"] = "系统由原供应商开发建设，为保证运行一致性，只能从原供应商处采购。"
        d["project"] = project
        if stage in ("result", "contract"):
            i = self.day_index[it["published"]]
            trade = self.pick(("科技", "建设", "物业", "信息"))
            d["result"] = {"supplier": f"青山县{self.pick(PLACES)}{trade}有限公司",
                           "amount": (budget * Decimal(r.randint(70, 100)) / 100).quantize(CENT),
                           "date": self.days[max(0, i - r.randint(1, 10))]}
        return d

    def letter(self, it: dict) -> dict:
        """A citizen's message and its reply within 5 working days, published after the reply."""
        r, d = self.r, self.common(it)
        d["publisher"] = it["dept"]
        j = self.day_index[it["published"]]
        replied = j - r.randint(0, 3)  # published 0-3 working days after the reply,
        received = replied - r.randint(1, 5)  # replied 1-5 after receipt: j >= LETTER_LEAD
        d["letter"] = {"received": self.days[received],
                       "channel": self.pick(("website", "hotline", "mail", "email", "other")),
                       "question": f"{self.pick(PLACES)}的{self.pick(TOPICS)}问题希望有关部门关注，"
                                   f"建议{self.pick(VERBS)}{self.pick(OBJECTS)}。"}
        d["reply"] = {"date": self.days[replied], "unit": it["dept"],
                      "text": f"您好！感谢您的留言。{self.paragraph(r.randint(1, 3))}"}
        return d

    def annual_report(self, it: dict) -> tuple[dict, str]:
        """The 2021-format annual report of one year: sections 二 and 四 written, the rest
        (规章, 规范性文件, the request table) computed by gongkai."""
        r, d = self.r, self.common(it)
        d["year"] = it["extra"]["year"]
        d["proactive"] = {"licensing": r.randint(0, 300), "penalty": r.randint(0, 80),
                          "enforcement": r.randint(0, 5), "fees_collected": Decimal(r.randint(0, 5000)) / 100}
        d["reviews"] = {"review": {"upheld": r.randint(0, 3), "corrected": r.randint(0, 1),
                                   "other": 0, "pending": 0}}
        d["problems"] = self.paragraph(2)
        d["other"] = f"本机关{d['year']}年未收取信息处理费。"
        return d, self.paragraph(3) + "\n"

    # --- plan, number, write --------------------------------------------------
    def plan(self) -> list[dict]:
        weights = [c[3] for c in CATEGORIES]
        items = []
        first = CATEGORIES + [c for c in CATEGORIES if c[2] == "annual_report"] * (len(ANNUAL_YEARS) - 1)
        for i in range(self.n):
            cat = first[i] if i < len(first) else self.r.choices(CATEGORIES, weights)[0]
            key, _, typ, _ = cat
            pub, extra = self.published_for(typ)
            items.append({"i": i, "category": key, "type": typ, "published": pub, "extra": extra})
        seqs: dict[int, int] = {}
        for it in sorted(items, key=lambda x: (x["published"], x["i"])):
            y = it["published"].year
            seqs[y] = seqs.get(y, 0) + 1
            it["index_no"] = f"{ORG}/{y}-{seqs[y]:05d}"
            it["seq_no"] = it["i"] + 1
            ext = "md" if it["type"] in MARKDOWN else "yml"
            it["path"] = f"content/{it['category']}/{y}/{it['published']:%m%d}-{it['i']:06d}.{ext}"
        return items

    def title(self, it: dict) -> str:
        p, y, typ = self.pick, it["published"].year, it["type"]
        if typ == "article":
            return p((f"关于{p(('做好', '开展', '加强', '进一步规范'))}{y}年{p(TOPICS)}工作的通知",
                      f"{p(PLACES)}{p(VERBS)}{p(TOPICS)}{p(OBJECTS)}",
                      f"{p(DEPTS)}召开{p(TOPICS)}工作会议",
                      f"青山县{p(TOPICS)}{p(OBJECTS)}实施办法",
                      f"关于印发《青山县{p(TOPICS)}三年行动方案》的通知"))
        it["dept"] = p(DEPTS)
        if typ == "duty":
            return f"{it['dept']}机构职能"
        if typ == "fee":
            return f"{it['dept']}行政事业性收费项目"
        if typ == "procedure":
            it["service"] = f"{p(TOPICS)}{p(('许可', '备案', '登记', '审批', '证明'))}"
            return f"{it['service']}办事指南"
        if typ == "budget":
            e = it["extra"]
            return f"{it['dept']}{e['fiscal_year']}年部门{'预算' if e['stage'] == 'budget' else '决算'}"
        if typ == "consultation":
            return f"关于公开征求《青山县{p(TOPICS)}{p(('管理办法', '实施方案', '若干措施'))}（征求意见稿）》意见的公告"
        if typ == "procurement":
            it["project"] = f"{it['dept']}{p(TOPICS)}{p(('服务', '设备', '工程', '系统运维'))}采购项目"
            return f"{it['project']}公告"
        if typ == "letter":
            return f"关于{p(PLACES)}{p(TOPICS)}问题的留言答复"
        if typ == "annual_report":
            return f"{ORG_NAME}{it['extra']['year']}年政府信息公开工作年度报告"
        if typ == "appointment":
            return f"青山县{y}年干部任前公示（第{it['seq_no'] % 9 + 1}批）"
        prev = it["published"].replace(day=1) - dt.timedelta(days=1)
        it["period"] = f"{prev:%Y-%m}"
        return f"{ORG_NAME}{prev.year}年{prev.month}月工作计划与完成情况"

    def run(self) -> None:
        if self.out.exists():
            shutil.rmtree(self.out)
        (self.out / "content").mkdir(parents=True)
        write_config(self.out)
        write_pages_and_attachments(self.out / "content")
        items = self.plan()
        made = set()
        for it in items:
            it["title"] = self.title(it)
            path = self.out / it["path"]
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            if it["type"] in MARKDOWN:
                front, body = getattr(self, it["type"])(it)
                path.write_text(f"---\n{dump(front)}---\n\n{body}", encoding="utf-8")
            else:
                path.write_text(dump(getattr(self, it["type"])(it)), encoding="utf-8")
        lines = sorted(f"{it['index_no']}\t{it['path']}\n" for it in items)
        (self.out / "content" / ".registry").write_text("".join(lines), encoding="utf-8")


# --- reference data --------------------------------------------------------------
FEES = [("不动产登记费", "元/件", 80), ("证书工本费", "元/本", 10), ("土地复垦费", "元/平方米", 6),
        ("污水处理费", "元/吨", 1), ("考试考务费", "元/科", 50), ("防空地下室易地建设费", "元/平方米", 40)]
LAWS = ("中华人民共和国行政许可法", "中华人民共和国安全生产法", "中华人民共和国食品安全法",
        "中华人民共和国土地管理法", "中华人民共和国城乡规划法", "中华人民共和国消防法")
FUNCTIONS = [
    ("201", "一般公共服务支出", ("20103", "政府办公厅（室）及相关机构事务",
                              [("2010301", "行政运行"), ("2010302", "一般行政管理事务"),
                               ("2010350", "事业运行")])),
    ("208", "社会保障和就业支出", ("20805", "行政事业单位养老支出",
                               [("2080505", "机关事业单位基本养老保险缴费支出"),
                                ("2080506", "机关事业单位职业年金缴费支出")])),
    ("210", "卫生健康支出", ("21011", "行政事业单位医疗",
                           [("2101101", "行政单位医疗"), ("2101102", "事业单位医疗")])),
    ("221", "住房保障支出", ("22102", "住房改革支出",
                           [("2210201", "住房公积金"), ("2210203", "购房补贴")])),
]
ATTACHMENTS = [("attachments/notice-2024-01.pdf", "通知原文"), ("attachments/plan-table.pdf", "任务分解表"),
               ("attachments/policy-reading.pdf", "政策解读"), ("attachments/map.png", "示意图"),
               ("attachments/forms/apply.docx", "申请表")]


def config() -> dict:
    return {
        "site": {"name": ORG_NAME, "url": "https://www.qingshan.gov.cn/", "language": "zh",
                 "timezone": "Asia/Shanghai", "description": f"{ORG_NAME}政府信息公开"},
        "organization": {"name": ORG_NAME, "code": ORG, "address": "青山县人民路1号",
                         "postcode": "311000", "phone": "0571-00000000", "email": "gk@qingshan.gov.cn",
                         "hours": "工作日 8:30-12:00, 13:30-17:00"},
        "identity": {"sponsor": ORG_NAME, "site_code": "3301000001", "icp": "浙ICP备00000000号",
                     "public_security": "浙公网安备33010000000000号"},
        "index_number": {"pattern": "{org}/{year}-{seq:05d}"},
        "feedback": {"phone": "0571-00000001", "email": "yj@qingshan.gov.cn"},
        "categories": [{"key": k, "title": t, "type": ty, "code": f"{n + 1:02d}"}
                       for n, (k, t, ty, _) in enumerate(CATEGORIES)],
    }


def write_config(out: Path) -> None:
    (out / "site_config.yml").write_text(dump(config()), encoding="utf-8")


def write_pages_and_attachments(content: Path) -> None:
    pages = content / "pages"
    pages.mkdir()
    (pages / "guide.md").write_text(
        "---\ntitle: 政府信息公开指南\n---\n\n## 一、主动公开\n\n本机关主动公开的政府信息，"
        "通过本网站政府信息公开专栏发布。\n\n## 二、依申请公开\n\n申请人可通过信函、"
        "当面提交等方式提出申请。\n", encoding="utf-8")
    (pages / "about.md").write_text("---\ntitle: 关于本站\n---\n\n本站由青山县人民政府办公室主办。\n",
                                    encoding="utf-8")
    (content / "attachments" / "forms").mkdir(parents=True)
    for name, _ in ATTACHMENTS:
        path = content / name
        if name.endswith(".pdf"):
            path.write_bytes(tiny_pdf())
        elif name.endswith(".png"):
            path.write_bytes(tiny_png())
        else:
            tiny_docx(path)


def tiny_pdf() -> bytes:
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, o)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + \
            zlib.crc32(kind + data).to_bytes(4, "big")
    ihdr = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + \
        chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


def tiny_docx(path: Path) -> None:
    ns, mime = "http://schemas.openxmlformats.org/", "application/vnd.openxmlformats-"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        def write(name: str, xml: str) -> None:  # fixed timestamp: same bytes on every run
            zf.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), xml)
        write("[Content_Types].xml",
              f'<?xml version="1.0"?><Types xmlns="{ns}package/2006/content-types">'
              f'<Default Extension="rels" ContentType="{mime}package.relationships+xml"/>'
              f'<Override PartName="/word/document.xml" '
              f'ContentType="{mime}officedocument.wordprocessingml.document.main+xml"/></Types>')
        write("_rels/.rels",
              f'<?xml version="1.0"?><Relationships xmlns="{ns}package/2006/relationships">'
              f'<Relationship Id="r1" Type="{ns}officeDocument/2006/relationships/officeDocument" '
              f'Target="word/document.xml"/></Relationships>')
        write("word/document.xml",
              f'<?xml version="1.0"?><w:document xmlns:w="{ns}wordprocessingml/2006/main">'
              f'<w:body><w:p><w:r><w:t>申请表</w:t></w:r></w:p></w:body></w:document>')


# --- YAML output -----------------------------------------------------------------
class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    def ignore_aliases(self, data):  # shared dates/amounts must not become &id001 anchors
        return True


Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", f"{v:.2f}"))
PLAIN = re.compile(r"[\u4e00-\u9fff][^:#'\"{}\[\],&*!|>%@`]*")


def dump(data: dict) -> str:
    """YAML for one item; articles (plain dicts of short values) take a fast path."""
    if all(isinstance(v, (str, int, dt.date, list)) and not isinstance(v, bool) for v in data.values()) \
            and all(isinstance(x, str) for v in data.values() if isinstance(v, list) for x in v):
        return "".join(f"{k}: {scalar(v)}\n" for k, v in data.items())
    return yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1000)


def scalar(v) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(scalar(x) for x in v) + "]"
    if isinstance(v, str) and not PLAIN.fullmatch(v):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


# --- edits, as an editor makes them (benchmarks/run.py, serve_latency.py) -----------
def editable(site: Path) -> Path:
    """The first notice (path order) with no revision yet: the item the benchmarks edit."""
    return next(p for p in sorted((site / "content" / "notices").rglob("*.md"))
                if b"\nrevisions:" not in p.read_bytes())


def revised(original: bytes, notes: list[str], text: str) -> bytes:
    """A published article corrected as gongkai wants it: a revision entry dated today per
    correction made since `original` (else `register-changed`), a sentence added to the body."""
    entries = "".join(f"  - {{date: {dt.date.today()}, note: {note}}}\n" for note in notes)
    return original.replace(b"\n---\n", f"\nrevisions:\n{entries}---\n".encode(), 1) + f"\n{text}\n".encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of items")
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    Synth(a.n, a.outdir, a.seed).run()


if __name__ == "__main__":
    main()
