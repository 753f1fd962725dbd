"""DynamoDB models (pynamodb) and repositories, and the S3 object store."""
