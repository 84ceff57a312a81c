"""ELBv2's operations by resource: each module is a mixin of `Elbv2Provider`."""
