"""Virtual Visits: telehealth visits, enabled per user.

Its User Manager column and Manage action arrive with the User Manager issue.
"""
TITLE = "Virtual Visits"
DESCRIPTION = "Telehealth (virtual) visits, enabled per user with the Manage action in the User Manager."
