"""The two doors onto the services: JSON API (api/) and server-rendered pages (pages/)."""
