"""Tables, repositories (every query lives here) and migrations."""
