"""CloudFormation pieces of the service's data, generated from the code that uses it.

Tables come from the pynamodb models (``chalicelib.store.registry.all_models()``)
and buckets from :data:`infra.resources.buckets.BUCKETS`; ``infra/build.py``
merges them into ``chalice package``'s template and the local stack creates the
same buckets and tables on the embedded moto server.
"""
