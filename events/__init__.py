"""The domain: aggregates, the one application service, and the encryption of stored events."""
