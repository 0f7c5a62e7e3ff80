"""SESv2 list management in the lab: contact lists and contacts, ``ListManagementOptions`` on v2 ``SendEmail``,
the unsubscribe link SES adds, and the Subscription event an unsubscribe publishes.

- :mod:`.state` — the rules: who is opted out, the contact SES creates on a send, the unsubscribe link and
  headers, the pipeline stages that apply them, what an unsubscribe changes;
- :mod:`.wire` — moto's contact list actions made to answer as SES does, and the lab's unsubscribe route.
"""
