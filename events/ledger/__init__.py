"""Tamper evidence for the event log: a Merkle tree, signed checkpoints, verification."""
