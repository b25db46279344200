"""Plan quality: the golden thread and specific provision, checked as the plan is written."""
