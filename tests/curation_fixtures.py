"""Shared by the curation tests (tests/test_curation_actions.py, tests/browser/test_curation_browser.py): the seed
plan and a work report written for them from the seed's own indicators (so the two make indicator series)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "documents" / "000_3ccc218f3f77786b.txt"
DOC = "000_3ccc218f3f77786b"
REPORT_ID = "report"
# A work report as a LibreOffice export leaves it: the title field says "Word Document", no agency is stated
# (the 落款 names it). It reviews 2019 (results) and plans 2020 (measures, targets; one target the rules miss).
REPORT = """---
title: Word Document
date: 2020-01-15
---

一、2019年工作回顾

2019年，全市科技工作取得新进展。全市发明专利申请量达到2300件，比上年增长12%。实现技术合同成交额38亿元，同比增长15%。全年净增高新技术企业45家，实施成果转化项目152项。新增省级以上创新创业平台12家，超额完成年度目标。

二、2020年工作安排

（一）加快高新区建设。推进国家级高新区创建，力争高新技术产业增加值达到360亿元。

（二）强化知识产权保护。全市发明专利申请量达到2500件，提高知识产权运用水平。

（三）深化科技金融服务。科技型中小企业评价入库400家，推动科技型企业融资，扩大创业投资基金规模。

三、保障措施

加强组织领导，落实工作责任，确保各项任务完成。

十堰市科学技术局
2020年1月15日
"""
TITLE = "十堰市科学技术局2019年工作总结和2020年工作要点"
AGENCY = "十堰市科学技术局"
MISSED = "科技型中小企业评价入库400家"
