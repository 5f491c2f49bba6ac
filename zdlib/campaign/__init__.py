"""The API-token retirement campaign (issue 23): states derived from evidence, never from a hand-kept list."""
