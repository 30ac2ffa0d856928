"""Domain errors: the web turns each into a clear message for the user."""


class DomainError(Exception):
    """Raised when a command breaks a rule of the domain."""


class RecordErased(DomainError):
    """Raised when a record's data key was shredded, so its content is gone."""

    def __init__(self, originator_id):
        super().__init__(f"record {originator_id} was erased")
        self.originator_id = originator_id


class KeyConfigurationError(Exception):
    """Raised when no key-encryption key (KEK) is configured, or it is unsafe."""


class IntegrityError(Exception):
    """Raised when a stored event does not decrypt: it was altered or swapped."""
