"""The lab's SMTP servers: the inbound (receiving) stand-in and TLS for loopback."""
