"""IAM: roles, users, access keys, managed and inline policies, instance profiles.

    provider.py           the operations (thin)
    roles.py, users.py    roles; users and their access keys (both built on entities.py)
    policies.py           managed policies and versions (aws_policies.py: AWS managed ones)
    instance_profiles.py  instance profiles
    models.py             dataclasses and their response shapes
    store.py              JSON documents per account (global: region "") and pagination
    identity.py           ids, ARNs and the calling principal (shared with STS)
    validation.py         names, paths, policy documents and size quotas
    lookup.py             read-only lookups for other services (roles by ARN, instance profiles)

Nothing is authorized: policies are stored, versioned and attached exactly as AWS does, but no
request is ever denied by them.
"""
