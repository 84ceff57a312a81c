"""EC2's operations, by resource: each module is a mixin of `Ec2Provider` with the operations of
one kind of resource (network, key pairs, images, launch templates, instances, tags)."""
