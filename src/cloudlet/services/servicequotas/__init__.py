"""Service Quotas: AWS's quota catalogue, applied values per account and region, increase requests.

    catalog.py     AWS's real service and quota codes, names, defaults, units, flags
    quotas.py      applied values and `applied_value`, the in-process API services read limits by
    store.py       increase requests and tags (JSON documents per account and region)
    models.py      wire shapes, ARNs, request ids, pagination
    exceptions.py  AWS's errors and messages
    provider.py    the operations (thin)

Increase requests are approved at once and the new value applies immediately.
"""

from cloudlet.services.servicequotas.quotas import applied_value, set_applied_value

__all__ = ["applied_value", "set_applied_value"]
