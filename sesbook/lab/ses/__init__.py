"""SES as SES behaves, where moto does not: one package per concern (``identities``, ``account``,
``receiving``, ``sending``), each split as moto splits a service: ``state`` holds the rules and the data
they keep (on moto's backends), ``wire`` the actions (parse parameters, call the rules, shape the answer).
``errors`` holds every SES error the lab raises; ``_wire`` the small helpers the wire modules share.
"""
