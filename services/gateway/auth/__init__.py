"""Users, password hashes, sessions and the login rate limit of the gateway."""
