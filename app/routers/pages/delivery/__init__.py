"""Pages for provision as delivered, one module each: the delivery log, reduced timetables, ending
or changing provision (and the family's reply), the needs map, and moving setting."""
