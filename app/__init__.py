"""OnePlan: one plan for a child with SEND, written together by everyone around them."""
