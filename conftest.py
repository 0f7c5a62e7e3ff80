"""Set up the environment for every test and for nbval's kernels before anything starts.

Tests never reach AWS: dummy credentials, no shared config, and no attaching to a lab someone left
running. Notebook kernels (nbval) inherit this environment and start their own private lab seeded
with 1, exactly as ``make notebooks`` ran them.
"""

import os

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SESBOOK_LAB_SEED": "1",
        "SESBOOK_LAB_STATE": os.path.join(os.path.dirname(__file__), ".pytest-no-lab-state.json"),
        "MPLBACKEND": "Agg",
    }
)
os.environ.pop("SESBOOK_LAB", None)
os.environ.pop("AWS_PROFILE", None)
