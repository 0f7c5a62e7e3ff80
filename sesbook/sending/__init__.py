"""Sending mail through SES.

- :mod:`~sesbook.sending.mime`: :func:`build_message` (text/HTML, inline images, attachments, headers);
- :mod:`~sesbook.sending.validate`: what SES would refuse, found before anything is sent;
- :mod:`~sesbook.sending.send`: :func:`send_email`, :func:`send_raw`, :func:`send_templated` (v1 or v2);
- :mod:`~sesbook.sending.templates`: put, delete, test-render templates; one bulk templated call;
- :mod:`~sesbook.sending.bulk`: :func:`send_bulk`, paced at the account's rate and resumable;
- :mod:`~sesbook.sending.smtp_send`: the SMTP interface (STARTTLS, AUTH, SES's replies as ``SmtpError``);
- :mod:`~sesbook.sending.iam`: the send policy and the IAM user behind SMTP credentials;
- :mod:`~sesbook.sending.probe`: one test send, SES's answer explained (sandbox, quota, rate, paused).

The notebook-facing names are exported from :mod:`sesbook`; these modules are the internal layout.
"""
