"""Notifications: changes sent by rules of the configuration — to webhooks and Apprise URLs,
as readable e-mail, Slack, Discord and Matrix messages (:mod:`.readable`), and as cards
posted to Mastodon and Bluesky (:mod:`.posting`).

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
