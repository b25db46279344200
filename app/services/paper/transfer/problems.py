"""The one error an import raises: its message says what is wrong, for the person importing."""


class ImportProblem(ValueError):
    """A file that is not a OnePlan export this version understands, or whose audit trail does not verify."""
