"""Plans: who is on them, what they say, how they change. The only code that writes plan content.

Every function takes the session and the acting person's `PlanAccess`, checks the rule in
`app.permissions`, changes state and records its audit event; the request commits once.
"""
