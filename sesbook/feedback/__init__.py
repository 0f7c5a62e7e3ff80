"""Bounces, complaints and deliveries: wire SES's feedback to a queue, parse it, and act on it.

- :mod:`.parse` — :func:`parse` turns an SQS message, an SNS envelope or a bare payload into a :class:`Feedback`;
- :mod:`.wiring` — :func:`wire_feedback` makes the topic, the queue (and its dead-letter queue), the
  subscription, the identity's notification topics and/or a configuration set event destination;
- :mod:`.watch` — :func:`watch_feedback` waits for messages to arrive and shows them, leaving them in the queue;
- :mod:`.consume` — :func:`drain` reads the queue and applies a :class:`FeedbackPolicy`.
"""
