"""Projects: shared task lists, their members and roles, and invitations to join them."""
