"""Why a decision no longer applies (shown to staff, in Chinese)."""

from __future__ import annotations

STALE_MEASURE = "措施已不存在"
STALE_TARGET = "目标已不存在"
STALE_MEASURE_CHANGED = "措施编号对应的内容已变化"
STALE_TARGET_CHANGED = "目标编号对应的内容已变化"
STALE_NO_MEASURE_HERE = "原文“{text}”处已不再识别为措施"
STALE_NO_QUANTITY_HERE = "原文“{text}”处已不再识别出数量"
STALE_NO_TARGET_HERE = "原文“{text}”处已不再识别为目标"
STALE_NO_CLAUSE = "原文“{text}”已不是一个条款"
STALE_OVERLAP = "原文“{text}”与已有措施重叠"
STALE_FIELD = "程序现在读出的{label}是“{now}”，不是决定所针对的“{was}”"
STALE_NO_FIELD = "文件信息中已没有“{label}”一项"
STALE_SERIES = "指标序列“{title}”已不存在"
STALE_CONFLICT = "{year}年的目标冲突已不存在或数值已变化"
STALE_ITEMS = "要拆分的数量已不在该指标序列中"
