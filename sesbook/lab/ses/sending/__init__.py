"""Sending: one message object, one pipeline of named stages for every send API and SMTP, the sandbox rules."""
