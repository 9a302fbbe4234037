"""Reminders: rows with a due time, planned from the activities, sent once each by a job."""
