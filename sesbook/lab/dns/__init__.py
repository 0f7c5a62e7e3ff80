"""The lab's DNS: an authoritative server (:mod:`.server`) answering from the lab's Route 53 zones and the
zones SES itself serves (:mod:`.zones`, :mod:`.ses_zones`, the DKIM keys of :mod:`.dkimkeys`)."""
