"""Pure rules: no boto3, no pynamodb, no I/O. Every rule that depends on time takes ``now``."""
