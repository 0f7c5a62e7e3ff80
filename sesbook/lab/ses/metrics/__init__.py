"""Sending metrics and reputation: the lab's send history, the ``AWS/SES`` CloudWatch metrics, the reputation
rates and enforcement (:mod:`.state`); ``GetSendStatistics`` and the control paths (:mod:`.wire`); CloudWatch
reads that match dimensions exactly (:mod:`.cloudwatch`).

Other lab code counts an event with :func:`record` (``from sesbook.lab.ses.metrics import record``).
"""

from sesbook.lab.ses.metrics.state import record

__all__ = ["record"]
