"""Balabaqsha: the serverless back end of the electronic kindergarten service."""
