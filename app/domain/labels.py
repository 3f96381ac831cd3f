"""User-facing names of records and their fields (one home, used by the CLI, the GUI and exchange)."""

from __future__ import annotations

#: 字段名: what a record's field is called in the conflict view, the CLI and 修改记录
FIELD_LABELS = {
    "grade": "等级",
    "na_reason": "不适用原因",
    "value": "指标值",
    "numerator": "分子",
    "denominator": "分母",
    "baseline": "基线值",
    "finding": "问题描述",
    "evidence": "佐证材料说明",
    "department": "责任科室",
    "records": "抽查记录",
    "problem": "问题描述",
    "cause": "原因分析",
    "measure": "整改措施",
    "owner": "责任人",
    "deadline": "整改期限",
    "recheck_date": "复查日期",
    "rechecked_by": "复查人",
    "recheck_result": "复查结果",
    "recheck_passed": "复查通过",
    "origin": "来源",
    "carried_from": "上轮整改项",
    "item_id": "条目",
    "name": "名称",
    "started_on": "自查日期",
    "year": "考核年度",
    "leader": "检查组组长",
    "members": "检查组成员",
    "status": "状态",
}
TABLE_LABELS = {
    "answers": "自查结果",
    "samples": "抽查记录",
    "rectifications": "整改项",
    "rounds": "自查轮次",
    "attachments": "附件",
    "hospital": "医院基本情况",
    "round_checklists": "自查轮次的检查表",
    "history": "修改记录",
    "settings": "程序设置",
}

#: 修改记录: what an entry's action is called
ACTION_LABELS = {"insert": "新建", "update": "修改", "delete": "删除", "merge": "导入合并"}

#: 整改项来源 (rectifications.origin)
ORIGIN_LABELS = {"auto": "不符合项自动生成", "offered": "自选整改", "carried": "上轮转入"}
