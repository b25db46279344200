"""Lists of many plans: a setting's children with plans, its evidence pack, the council's searchable list."""
