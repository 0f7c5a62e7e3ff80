"""The lab's SMTP servers, on loopback: the SMTP interface for sending (:mod:`.submission`, the
``email-smtp.REGION.amazonaws.com`` stand-in) and the TLS certificate they share (:mod:`.tls`)."""
