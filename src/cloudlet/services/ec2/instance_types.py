"""The instance types cloudlet knows: AWS's published vCPU count and memory of each.

An instance's vCPU count normalises its measured CPU time (`CPUUtilization` = CPU seconds used /
(elapsed seconds * vCPUs)); its memory becomes the memory cap of its process tree. The table holds
the families people launch most (burstable t2/t3/t3a/t4g, general purpose m5/m6i/m7g, compute
c5/c6i/c7g, memory r5/r6i) with AWS's figures; `DescribeInstanceTypes` answers from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_PREVIOUS = frozenset({"t2", "m1"})
"""Previous-generation (Xen) families."""


@dataclass(frozen=True)
class InstanceType:
    """One instance type as `DescribeInstanceTypes` describes it."""

    name: str
    vcpus: int
    memory_mib: int
    arm: bool = False
    """Graviton (arm64) rather than x86_64."""
    burstable: bool = False
    free_tier: bool = False
    network: str = "Up to 5 Gigabit"

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    def describe(self) -> dict[str, Any]:
        """The `InstanceTypeInfo` shape."""
        cores = self.vcpus if self.arm or self.vcpus == 1 else self.vcpus // 2
        threads = 1 if self.arm or self.vcpus == 1 else 2
        return {
            "InstanceType": self.name,
            "CurrentGeneration": self.family not in _PREVIOUS,
            "FreeTierEligible": self.free_tier,
            "SupportedUsageClasses": ["on-demand", "spot"],
            "SupportedRootDeviceTypes": ["ebs"],
            "SupportedVirtualizationTypes": ["hvm"],
            "BareMetal": False,
            "Hypervisor": "xen" if self.family in _PREVIOUS else "nitro",
            "ProcessorInfo": {
                "SupportedArchitectures": ["arm64"]
                if self.arm
                else ["i386", "x86_64"]
                if self.family in _PREVIOUS
                else ["x86_64"],
                "SustainedClockSpeedInGhz": 2.5 if self.arm else 3.1,
            },
            "VCpuInfo": {
                "DefaultVCpus": self.vcpus,
                "DefaultCores": cores,
                "DefaultThreadsPerCore": threads,
            },
            "MemoryInfo": {"SizeInMiB": self.memory_mib},
            "InstanceStorageSupported": False,
            "EbsInfo": {
                "EbsOptimizedSupport": "unsupported" if self.family in _PREVIOUS else "default",
                "EncryptionSupport": "supported",
                "NvmeSupport": "unsupported" if self.family in _PREVIOUS else "required",
            },
            "NetworkInfo": {
                "NetworkPerformance": self.network,
                "MaximumNetworkInterfaces": 2 if self.vcpus <= 2 else 4,
                "MaximumNetworkCards": 1,
                "DefaultNetworkCardIndex": 0,
                "Ipv4AddressesPerInterface": 2 if self.memory_mib <= 1024 else 6,
                "Ipv6AddressesPerInterface": 2 if self.memory_mib <= 1024 else 6,
                "Ipv6Supported": True,
                "EnaSupport": "unsupported" if self.family in _PREVIOUS else "required",
                "EfaSupported": False,
                "EncryptionInTransitSupported": False,
            },
            "PlacementGroupInfo": {"SupportedStrategies": ["partition", "spread"]},
            "HibernationSupported": not self.arm,
            "BurstablePerformanceSupported": self.burstable,
            "DedicatedHostsSupported": not self.burstable,
            "AutoRecoverySupported": True,
            "SupportedBootModes": ["uefi"] if self.arm else ["legacy-bios", "uefi"],
        }


def _family(family: str, sizes: list[tuple[str, int, int]], **options: Any) -> list[InstanceType]:
    return [InstanceType(f"{family}.{size}", vcpus, mib, **options) for size, vcpus, mib in sizes]


_T = [
    ("nano", 2, 512),
    ("micro", 2, 1024),
    ("small", 2, 2048),
    ("medium", 2, 4096),
    ("large", 2, 8192),
    ("xlarge", 4, 16384),
    ("2xlarge", 8, 32768),
]
_T2 = [
    ("nano", 1, 512),
    ("micro", 1, 1024),
    ("small", 1, 2048),
    ("medium", 2, 4096),
    ("large", 2, 8192),
    ("xlarge", 4, 16384),
    ("2xlarge", 8, 32768),
]


def _sized(ratio: int, largest: int = 16) -> list[tuple[str, int, int]]:
    """large, xlarge, 2xlarge, ... with `ratio` GiB of memory per vCPU."""
    sizes = [("large", 2), ("xlarge", 4)] + [
        (f"{n}xlarge", 4 * n) for n in (2, 4, 8, 12, 16) if n <= largest
    ]
    return [(size, vcpus, vcpus * ratio * 1024) for size, vcpus in sizes]


_TYPES: list[InstanceType] = [
    *_family("t2", _T2, burstable=True, network="Low to Moderate"),
    *_family("t3", _T, burstable=True),
    *_family("t3a", _T, burstable=True),
    *_family("t4g", _T, burstable=True, arm=True),
    *_family("m5", _sized(4)),
    *_family("m6i", _sized(4)),
    *_family("m7g", [("medium", 1, 4096), *_sized(4)], arm=True),
    *_family("c5", _sized(2)),
    *_family("c6i", _sized(2)),
    *_family("c7g", [("medium", 1, 2048), *_sized(2)], arm=True),
    *_family("r5", _sized(8)),
    *_family("r6i", _sized(8)),
]

INSTANCE_TYPES: dict[str, InstanceType] = {t.name: t for t in _TYPES}
"""Every known instance type by name."""

FREE_TIER = {"t2.micro", "t3.micro"}
INSTANCE_TYPES.update(
    {
        name: InstanceType(t.name, t.vcpus, t.memory_mib, t.arm, t.burstable, True, t.network)
        for name, t in INSTANCE_TYPES.items()
        if name in FREE_TIER
    }
)

DEFAULT_INSTANCE_TYPE = "m1.small"
"""What RunInstances launches without an InstanceType (AWS's documented default)."""

INSTANCE_TYPES[DEFAULT_INSTANCE_TYPE] = InstanceType(DEFAULT_INSTANCE_TYPE, 1, 1740, network="Low")


def instance_type(name: str) -> InstanceType | None:
    return INSTANCE_TYPES.get(name)
