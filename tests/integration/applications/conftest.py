"""The queue tests use the shared filing helpers of ``tests/integration/filing.py``."""

from tests.integration.filing import CHILD, Filing, draft_body

__all__ = ["CHILD", "Filing", "draft_body"]
