"""Notifications: changes sent to webhooks and Apprise URLs, by rules of the configuration.

The stage after the store: :class:`~tearsheet.notify.notifier.Notifier` reads the versions
stored since its cursor, matches them against the rules (:mod:`.rules`), queues one
delivery per (rule, version) in the ``notify_outbox`` table (:mod:`.outbox`) — or, when one
source changes many articles within a window, holds them for one summary — and delivers
(:mod:`.deliver`) with retries and backoff. The tracker never waits for any of it.
"""

from tearsheet.notify.notifier import Notifier
from tearsheet.notify.outbox import Delivery, Outbox
from tearsheet.notify.rules import ChangeEvent, matches

__all__ = ["ChangeEvent", "Delivery", "Notifier", "Outbox", "matches"]
