"""Auto Scaling's operations by topic: each module is a mixin of `AutoScalingProvider`."""
