"""The plan on paper and on the move: PDF, the child's easy-read summary, and the portable export."""
