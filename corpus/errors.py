"""Errors a user can cause: each ends the command with one clear sentence, not a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad config, missing input, unreadable store)."""


class ConfigError(UserError):
    """The pipeline configuration is invalid; the message names the YAML key."""


class InputError(UserError):
    """An input path is missing or unusable."""
