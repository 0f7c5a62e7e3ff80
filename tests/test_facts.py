"""The dated facts agree with what the installed botocore knows."""

from __future__ import annotations

import boto3

from sesbook.facts import RECEIVING_REGIONS, REGION_RE, SES_REGIONS


def test_ses_regions_match_botocores_endpoint_data() -> None:
    session = boto3.session.Session()
    known = set(session.get_available_regions("sesv2")) | set(session.get_available_regions("sesv2", "aws-us-gov"))
    assert set(SES_REGIONS) <= known, "a region in SES_REGIONS that botocore has no SES endpoint for"
    missing = known - set(SES_REGIONS)
    assert not missing, f"botocore knows SES in {sorted(missing)}: add them to sesbook.facts.SES_REGIONS (dated)"


def test_every_listed_region_is_well_formed_and_receiving_is_a_subset() -> None:
    assert all(REGION_RE.match(r) for r in SES_REGIONS)
    assert set(RECEIVING_REGIONS) <= set(SES_REGIONS)
