"""The handlers of the job kinds (``chalicelib.jobs.registry.KINDS`` names each one)."""
