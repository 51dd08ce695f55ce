"""Saved searches, alerts and notifications (issue 11, decision 0020); and more like this."""
