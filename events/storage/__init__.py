"""Storage adapters: the SQLite event store, the PostgreSQL recorder, the side tables and the key store."""
