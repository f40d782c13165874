"""Rendering: the message catalogs (zh, en), the status views, the nudge and digest texts, the
ledger (.xlsx/.csv) and the digest chart. Pure functions of the domain; no Telegram, no SQL.
"""
