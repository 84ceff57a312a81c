"""Regions and availability zones: AWS's commercial regions, three zones each.

Zone ids follow AWS's scheme (`use1-az1`, `euw2-az3`); AWS maps zone names to ids differently per
account, cloudlet maps `a`→1, `b`→2, `c`→3 for every account.
"""

from __future__ import annotations

from typing import Any

REGIONS: dict[str, str] = {
    "af-south-1": "not-opted-in",
    "ap-east-1": "not-opted-in",
    "ap-northeast-1": "opt-in-not-required",
    "ap-northeast-2": "opt-in-not-required",
    "ap-northeast-3": "opt-in-not-required",
    "ap-south-1": "opt-in-not-required",
    "ap-southeast-1": "opt-in-not-required",
    "ap-southeast-2": "opt-in-not-required",
    "ca-central-1": "opt-in-not-required",
    "eu-central-1": "opt-in-not-required",
    "eu-north-1": "opt-in-not-required",
    "eu-south-1": "not-opted-in",
    "eu-west-1": "opt-in-not-required",
    "eu-west-2": "opt-in-not-required",
    "eu-west-3": "opt-in-not-required",
    "me-south-1": "not-opted-in",
    "sa-east-1": "opt-in-not-required",
    "us-east-1": "opt-in-not-required",
    "us-east-2": "opt-in-not-required",
    "us-west-1": "opt-in-not-required",
    "us-west-2": "opt-in-not-required",
}
"""Region name → OptInStatus (opt-in regions are listed only with AllRegions)."""

ZONE_LETTERS = ("a", "b", "c")

_DIRECTIONS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
}


def zone_names(region: str) -> list[str]:
    return [f"{region}{letter}" for letter in ZONE_LETTERS]


def zone_id(zone: str) -> str:
    """`us-east-1a` → `use1-az1`."""
    region, letter = zone[:-1], zone[-1]
    area, direction, number = region.split("-")
    return f"{area}{_DIRECTIONS.get(direction, direction[:1])}{number}-az{ord(letter) - 96}"


def describe_region(name: str) -> dict[str, Any]:
    return {
        "RegionName": name,
        "Endpoint": f"ec2.{name}.amazonaws.com",
        "OptInStatus": REGIONS.get(name, "opt-in-not-required"),
    }


def describe_zone(zone: str) -> dict[str, Any]:
    region = zone[:-1]
    return {
        "State": "available",
        "OptInStatus": "opt-in-not-required",
        "Messages": [],
        "RegionName": region,
        "ZoneName": zone,
        "ZoneId": zone_id(zone),
        "GroupName": region,
        "NetworkBorderGroup": region,
        "ZoneType": "availability-zone",
        "GroupLongName": region,
    }
