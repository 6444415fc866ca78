"""The staff queue: tasks that jobs and features create, and staff claim and close."""
