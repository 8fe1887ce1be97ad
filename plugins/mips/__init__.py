"""MIPS: Merit-based Incentive Payment System reporting for eligible therapists.

Its User Manager column and clinic settings arrive with the User Manager issue.
"""
TITLE = "MIPS"
DESCRIPTION = "MIPS quality reporting for eligible therapists (individual or group reporting)."
