"""Draws img/feedback-loop.png: how bounces and complaints come back to the sender and what reads them.

Facts (SES Developer Guide, "Monitoring your sending activity", "Receiving Amazon SES notifications using
Amazon SNS", "Using the account-level suppression list", "Creating Amazon SES event destinations"; checked
in 2026): the receiving server answers with a bounce, or the reader reports spam and the mailbox provider
sends SES a complaint; SES adds hard bounces and complaints to the account's suppression list (where the
account suppresses both, as new accounts do) and reports them two ways, as identity notifications (Bounce,
Complaint, Delivery) and as events of a configuration set's event destination (Send, Reject, Bounce,
Complaint, Delivery, Open, Click, Rendering Failure, DeliveryDelay, Subscription), both to an SNS topic; a
queue subscribed to the topic holds them for a consumer, which parses the JSON in the SNS envelope's Message.

Run: .venv/bin/python img/feedback-loop.py
"""

from __future__ import annotations

from _diagram import BAD, arrow, box, elbow, figure, save, title

W, H = 10.0, 6.7


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "Bounces and complaints: the way back to the sender")

    app = box(ax, 0.2, 5.0, 2.4, 0.95, "your application", body="SendEmail, with a\nconfiguration set",
              kind="actor", size=10)
    ses = box(ax, 3.6, 5.0, 2.3, 0.95, "Amazon SES", body="accepts and delivers", kind="ses", size=10.5)
    isp = box(ax, 7.2, 5.0, 2.6, 0.95, "recipient's mail server", body="takes it, refuses it, or\nthe reader "
              "marks it as spam", kind="actor", size=10)
    arrow(ax, app.right, ses.left, "send")
    arrow(ax, ses.at(1, 0.75), isp.at(0, 0.75), "deliver")
    arrow(ax, isp.at(0, 0.25), ses.at(1, 0.25), "bounce (バウンス)\ncomplaint (苦情)", colour=BAD, size=8.5,
          offset=(0.0, -0.3))

    suppression = box(ax, 0.2, 2.95, 2.75, 1.45, "account suppression list", ja_term="抑制リスト",
                      body="hard bounces and complaints,\nadded by SES itself; a later\nsend there is dropped",
                      kind="stop", size=10)
    notifications = box(ax, 3.2, 2.95, 2.75, 1.45, "identity notifications", ja_term="バウンス設定(SNS配信)",
                        body="Bounce, Complaint, Delivery\nfor a verified identity", kind="ses", size=10)
    events = box(ax, 6.2, 2.95, 3.6, 1.45, "configuration set:\nevent destination",
                 body="Send, Reject, Bounce, Complaint, Delivery,\nOpen, Click, Rendering Failure,\n"
                      "DeliveryDelay, Subscription", kind="ses", size=10)
    arrow(ax, ses.at(0.2, 0), suppression.at(0.7, 1), colour=BAD)
    arrow(ax, ses.bottom, notifications.top)
    arrow(ax, ses.at(0.8, 0), events.at(0.3, 1))

    topic = box(ax, 3.2, 1.2, 1.9, 0.95, "SNS topic", body="one message\nper report", kind="aws", size=10)
    queue = box(ax, 5.55, 1.2, 1.9, 0.95, "SQS queue", body="subscribed\nto the topic", kind="aws", size=10)
    consumer = box(ax, 7.9, 1.2, 1.9, 0.95, "your consumer", body="reads the JSON\nin Message", kind="actor",
                   size=10)
    arrow(ax, notifications.at(0.45, 0), topic.at(0.5, 1))
    arrow(ax, events.at(0.2, 0), topic.at(0.85, 1))
    arrow(ax, topic.right, queue.left)
    arrow(ax, queue.right, consumer.left)
    elbow(ax, [consumer.bottom, (consumer.bottom[0], 0.55), (suppression.bottom[0], 0.55), suppression.bottom],
          "a hard bounce or a complaint: stop mailing the address (PutSuppressedDestination, or your own list)",
          segment=1)
    save(fig, __file__)


if __name__ == "__main__":
    main()
