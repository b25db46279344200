"""Sign-in: passwords, sessions, second factor, single sign-on, children's cards, API tokens."""
