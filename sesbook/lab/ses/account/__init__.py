"""The SES account: sandbox, quotas, sending on/off and the production access review (rules, then actions)."""
