"""A local Zendesk Support API look-alike: the referee of zdlib's tests and the target of rehearsals.

It never imports the zdlib client; the two meet over HTTP only.
Start it with `zdlib sandbox` or in-process with `zdlib.sandbox.server.SandboxServer`.
"""
