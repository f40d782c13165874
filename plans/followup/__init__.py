"""The follow-up rules: working days and when nudges are due, the lights, and where each item
stands on a day (the snapshot every view reads).
"""
