"""Demo findings from the residential-property case: raised on the demo estate and taken through every state
(one closed by an equivalent measure, one overdue), so a newcomer sees the whole loop from `make run`."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from survey_app.clock import utcnow
from survey_app.models import Campaign, Finding
from survey_app.services.findings import register
from survey_app.services.findings.register import FindingInput

LEAD = "lead"
CORRECTION = {
    "root_cause": "外包保洁合同未写明消防通道巡查责任",
    "correction": "已清理 3 号楼消防通道杂物",
    "corrective_action": "保洁合同增补巡查条款，秩序维护员每日巡查并拍照记录",
}
FINDINGS = (
    # (type, source, clause, description, evidence, moves)
    ("major", "service_characteristic", "公共秩序维护与安全防范 · 消防通道",
     "3 号楼一单元消防通道堆放纸箱和电动车，影响疏散。", "暗访记录及照片（3 号楼一单元）",
     ("submit", "verify", "close")),
    ("minor", "management_system", "设施设备管理 · 电梯维保",
     "2 号电梯维保记录缺 2026 年 9 月两次。", "现场查阅维保台账", ("submit",)),
    ("minor", "service_characteristic", "客户服务 · 信息公示",
     "公告栏物业服务收费标准仍为上一年度。", "现场照片（小区南门公告栏）", ("submit", "return")),
    ("major", "social_responsibility", "安全 · 急救设施",
     "小区未配置 AED。", "现场检查", ("equivalent",)),
    ("improvement", "group_standard", "T/CPMI 环境卫生",
     "垃圾分类投放点夜间照明不足。", "暗访记录", ()),
    ("minor", "service_characteristic", "客户服务 · 投诉处理",
     "投诉回访记录未注明回访时间。", "抽查 2026 年 10 月投诉台账", ("submit", "verify")),
    ("observation", "other", "",
     "有业主反映夜间车辆进出登记不严。", "问卷意见", ("withdraw",)),
)  # fmt: skip


def seed_findings_demo(*, session: Session, campaign: Campaign) -> int:
    """Raise the demo findings once (none when the campaign has findings already); return how many."""
    if session.exec(select(Finding).where(Finding.campaign_id == campaign.id)).first() is not None:
        return 0
    for kind, source, clause, description, evidence, moves in FINDINGS:
        finding = register.raise_finding(
            session=session,
            campaign=campaign,
            data=FindingInput(
                type=kind,
                criterion_source=source,
                criterion_other="业主意见" if source == "other" else "",
                clause=clause,
                description=description,
                evidence=evidence,
                origin="demo",
            ),
            actor=LEAD,
        )
        for name in moves:
            notes = {
                "return": "请补充新公示内容的照片",
                "equivalent": "已安排 4 名员工取得急救员证书，并与社区卫生服务站签订 5 分钟响应协议",
                "withdraw": "经核实为访客车辆临时停靠，登记制度执行正常",
            }
            fields = {**CORRECTION, "note": notes.get(name, "")}
            register.move(session=session, finding=finding, name=name, fields=fields, actor=LEAD)
    overdue = session.exec(
        select(Finding).where(Finding.campaign_id == campaign.id, Finding.type == "improvement")
    ).one()
    overdue.deadline = utcnow() - timedelta(days=3)  # the demo's one overdue finding
    session.add(overdue)
    return len(FINDINGS)


def seed_decision_demo(*, session: Session, campaign: Campaign, reviewer: str = "reviewer") -> int | None:
    """The last cycle's certification decision (granted by the demo reviewer, once) and its letter job (made
    by the worker); returns the job's id when one was queued."""
    from survey_app.auth.accounts import find_user
    from survey_app.services.decisions import decide
    from survey_app.services.jobs import requests

    user = find_user(session=session, username=reviewer)
    locked = decide.basis(session=session, campaign=campaign)
    if user is None or locked.decisions or "grant" not in locked.allowed():
        return None
    row = decide.decide(
        session=session,
        campaign=campaign,
        reviewer=user,
        decision="grant",
        reasons="评定结果达到四星级，审核发现均已关闭或以等效措施关闭，无未关闭的严重不符合项，准予认证。",
    )
    job = requests.ask(
        session=session,
        campaign=campaign,
        kind="letter",
        params={"decision": str(row.id)},
        actor=user.username,
        locale="zh_CN",
    )
    return job.id
