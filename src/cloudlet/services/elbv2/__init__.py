"""Elastic Load Balancing v2: application load balancers whose listeners really listen."""
