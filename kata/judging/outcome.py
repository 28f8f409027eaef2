"""One test's result: the one type that `kata check`, the nbgrader cells, the grader's judge, its
runner, the gradebook and the feedback all pass around (and that results/<student>.json stores).

`message` is what a learner may read; `detail`, when set, is the fuller text that only the
instructor sees (a graded submission's feedback withholds what its own code wrote: see
`kata.judging.withheld`).
"""

from dataclasses import asdict, dataclass, fields

STATUSES = ("passed", "failed", "error", "skipped", "timeout")
FAULT_KINDS = ("timeout", "deadline", "crash", "memory", "output", "protocol", "startup", "lost")


@dataclass
class Outcome:
    """One test's result. status: one of STATUSES; fault: {"kind": one of FAULT_KINDS, "reason"}
    when the worker stopped during the test."""

    step: str
    name: str
    status: str
    message: str = ""
    seconds: float = 0.0
    nodeid: str = ""
    output: str = ""
    fault: dict = None
    detail: str = ""
    points: float = 0

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "") or k in ("message", "status")}

    @classmethod
    def from_dict(cls, data: dict, *, text_limit: int = 8000) -> "Outcome":
        """An Outcome from untrusted data (an event, a stored result): every field checked and bounded.
        Raises ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("a test result that is not an object")
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        for key in ("step", "name", "nodeid"):
            if not isinstance(values.get(key, ""), str):
                raise ValueError(f"a test result whose {key} is not text")
        if values.get("status") not in STATUSES:
            raise ValueError(f"a test result with the status {str(values.get('status'))[:20]!r}")
        for key in ("message", "output", "detail"):
            value = values.get(key, "")
            values[key] = value[:text_limit] + ("…" if len(value) > text_limit else "") if isinstance(value, str) else ""
        seconds = values.get("seconds", 0.0)
        values["seconds"] = float(seconds) if isinstance(seconds, (int, float)) and seconds >= 0 else 0.0
        points = values.get("points", 0)
        values["points"] = points if isinstance(points, (int, float)) and points >= 0 else 0
        fault = values.get("fault")
        values["fault"] = ({"kind": fault["kind"], "reason": str(fault.get("reason", ""))[:2000]}
                           if isinstance(fault, dict) and fault.get("kind") in FAULT_KINDS else None)
        return cls(**values)
