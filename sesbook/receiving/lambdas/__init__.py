"""Lambda handlers sesbook deploys for receipt rules. They are shipped as data: :mod:`sesbook.receiving.gate`
zips a handler's source into a deployment package; nothing in sesbook imports them (they run in Lambda, or
in the lab's Lambda runner, with only the standard library)."""
