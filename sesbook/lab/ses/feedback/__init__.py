"""Feedback in the lab: the mailbox simulator, identity notifications, event publishing, the suppression list.

- :mod:`.outcomes` — what happens to each recipient once SES accepted a message (delivered, bounced,
  complained about, auto-replied to), the mailbox simulator's rules among them;
- :mod:`.state` — the rules and what the account configured: identity notification topics, configuration
  set event destinations, the account suppression list;
- :mod:`.payloads` — the JSON SES publishes, in its documented shapes;
- :mod:`.stages` — the send pipeline's stages that apply all this after ``accept``;
- :mod:`.wire` — the SES v1/v2 actions, and the moto fixes feedback needs.
"""
