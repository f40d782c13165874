"""The application layer: what handlers and jobs do, in terms of storage and the domain.

The snapshot cache and shared services (core), the nudge pass (nudging), the weekly digest
(digests), invite links (invites), and the log events the bot writes (logs).
"""
